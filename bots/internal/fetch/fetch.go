// Package fetch downloads platform files for relaying, classifying
// failures the way the outbox needs and keeping credentials out of errors.
package fetch

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"

	"cornershop/core"
)

// Get opens url with the given headers. Network errors and 5xx are
// transient, other non-200 answers permanent; secret is scrubbed from
// every error text. The caller closes the body.
func Get(ctx context.Context, c *http.Client, what, url string, header http.Header, secret string) (io.ReadCloser, error) {
	scrub := func(s string) string {
		if secret == "" {
			return s
		}
		return strings.ReplaceAll(s, secret, "<secret>")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, core.Permanent(fmt.Errorf("%s download: bad file URL", what))
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, core.Transient(fmt.Errorf("%s download: %s", what, scrub(err.Error())))
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		if resp.StatusCode >= 500 {
			return nil, core.Transient(fmt.Errorf("%s download: %s", what, resp.Status))
		}
		return nil, core.Permanent(fmt.Errorf("%s download: %s", what, resp.Status))
	}
	return resp.Body, nil
}

// Transport is the HTTP transport adapters call their platform with:
// http.DefaultTransport's settings, but keeping as many idle connections
// per host as the outbox has deliveries in flight. The default keeps two,
// so concurrent deliveries dial a new connection for nearly every call.
func Transport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns, t.MaxIdleConnsPerHost = 256, 128
	return t
}
