// Package webhooks is the outbound webhooks adapter: it posts the webhook
// events core records to the configured HTTP endpoints, signed like
// Stripe's (X-Cornershop-Signature: t=<unix>,v1=<hex HMAC-SHA256 of
// "t.body">), and classifies each answer for the outbox (retry-after,
// transient, permanent). It also serves the failure list and redelivery
// (Failures). It imports core only; docs/webhooks.md is its user guide.
package webhooks
