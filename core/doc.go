// Package core is the platform-neutral heart of cornershop: the domain
// (contacts, staff, conversations, messages, deliveries, audit entries), the
// events adapters hand in, and the ports adapters and stores implement.
//
// core imports no platform library and no database library; adapters live in
// bots/, persistence in core/store, and the services that use these types in
// core/relay and core/outbox. A test in this package fails if that changes.
package core
