// Package api is cornershop's REST API (/api/v1, JSON): an adapter at the
// level of the bots that turns HTTP requests into the same core calls a
// desk command makes (core.Operator) and reads records through
// core.Records. It imports core only; cmd/cornershop mounts Handler.
//
// The OpenAPI document (openapi.yaml, embedded) describes every route and
// is served at /api/v1/openapi.json; the tests validate each request and
// response they make against it.
package api
