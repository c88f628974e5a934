package webhooks

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"cornershop/core"
)

// Endpoint is one receiver of webhook events.
type Endpoint struct {
	Name string
	URL  string
	// Secret keys the signature. It never prints (LogValue, String).
	Secret []byte
	// Timeout bounds one attempt [10s].
	Timeout time.Duration
}

// LogValue implements slog.LogValuer without the secret or the URL, which
// may carry a token of its own.
func (e Endpoint) LogValue() slog.Value { return slog.StringValue(e.Name) }

// String implements fmt.Stringer without the secret or the URL.
func (e Endpoint) String() string { return e.Name }

// Sender posts webhook events over HTTP. It implements core.WebhookSender.
type Sender struct {
	client    *http.Client
	endpoints map[string]Endpoint
	now       func() time.Time
}

var _ core.WebhookSender = (*Sender)(nil)

// New returns a Sender for endpoints. client nil takes a client that does
// not follow redirects (a redirect is a permanent failure: fix the URL);
// now nil is time.Now. Endpoint names must be unique (ErrInvalid).
func New(endpoints []Endpoint, client *http.Client, now func() time.Time) (*Sender, error) {
	if client == nil {
		client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	if now == nil {
		now = time.Now
	}
	m := make(map[string]Endpoint, len(endpoints))
	for _, e := range endpoints {
		if _, dup := m[e.Name]; dup || e.Name == "" {
			return nil, fmt.Errorf("webhooks: endpoint name %q empty or repeated: %w", e.Name, core.ErrInvalid)
		}
		u, err := url.Parse(e.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("webhooks: endpoint %s: url must be http(s): %w", e.Name, core.ErrInvalid)
		}
		if len(e.Secret) == 0 {
			return nil, fmt.Errorf("webhooks: endpoint %s: secret required: %w", e.Name, core.ErrInvalid)
		}
		if e.Timeout <= 0 {
			e.Timeout = 10 * time.Second
		}
		m[e.Name] = e
	}
	return &Sender{client: client, endpoints: m, now: now}, nil
}

// Post implements core.WebhookSender: one signed POST of e's body. A 2xx
// answer is success; 429 waits its Retry-After; 408, 5xx, timeouts and
// connection errors are transient; any other answer is permanent. Errors
// name the endpoint, never its URL or secret.
func (s *Sender) Post(ctx context.Context, endpoint string, e core.WebhookEvent) error {
	ep, ok := s.endpoints[endpoint]
	if !ok {
		return core.Permanent(fmt.Errorf("webhooks: unknown endpoint %q", endpoint))
	}
	body, err := e.Body()
	if err != nil {
		return core.Permanent(err)
	}
	ctx, cancel := context.WithTimeout(ctx, ep.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep.URL, bytes.NewReader(body))
	if err != nil {
		return core.Permanent(fmt.Errorf("webhooks: %s: build request: %w", ep.Name, redactURL(err)))
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "cornershop-webhooks/1")
	req.Header.Set(HeaderEventID, e.ID.String())
	req.Header.Set(HeaderEventType, string(e.Type))
	req.Header.Set(HeaderSignature, Sign(ep.Secret, s.now(), body))
	resp, err := s.client.Do(req)
	if err != nil {
		return core.Transient(fmt.Errorf("webhooks: %s: post: %w", ep.Name, redactURL(err)))
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // reuse the connection
	return classify(ep.Name, resp, s.now())
}

// classify maps an answer to core's delivery classes.
func classify(name string, resp *http.Response, now time.Time) error {
	code := resp.StatusCode
	err := fmt.Errorf("webhooks: %s answered %d %s", name, code, http.StatusText(code))
	switch {
	case code >= 200 && code < 300:
		return nil
	case code == http.StatusTooManyRequests:
		return core.RetryAfter(retryAfter(resp.Header.Get("Retry-After"), now), err)
	case code == http.StatusRequestTimeout || code >= 500:
		return core.Transient(err)
	}
	return core.Permanent(err)
}

// retryAfter reads a Retry-After header (seconds or an HTTP date); a
// missing or unreadable one waits a minute. The wait is capped at a day.
func retryAfter(v string, now time.Time) time.Duration {
	d := time.Minute
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		d = time.Duration(n) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = max(t.Sub(now), 0)
	}
	return min(d, 24*time.Hour)
}

// redactURL drops the URL from a client error: it may hold a token.
func redactURL(err error) error {
	if ue, ok := errors.AsType[*url.Error](err); ok {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}
