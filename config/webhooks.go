package config

import (
	"fmt"
	"net/url"

	"cornershop/core"
)

// validateWebhooks checks the webhooks section. Problems never quote a URL
// or a secret: a URL may carry a token.
func (c *Config) validateWebhooks(ps *problems) {
	seen := map[string]bool{}
	for i, w := range c.Webhooks {
		path := fmt.Sprintf("webhooks[%d]", i)
		switch {
		case !staffID.MatchString(w.Name):
			ps.add(path+".name", "required: lower-case letters, digits, - and _")
		case seen[w.Name]:
			ps.add(path+".name", "%q is used by another endpoint", w.Name)
		}
		seen[w.Name] = true
		if u, err := url.Parse(w.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			ps.add(path+".url", "required: an http(s) URL")
		}
		if w.Secret.IsZero() {
			ps.add(path+".secret", "required: it signs every request (CORNERSHOP_WEBHOOKS_%d_SECRET or _SECRET_FILE)", i)
		}
		for j, e := range w.Events {
			if !core.ValidEventPattern(e) {
				ps.add(fmt.Sprintf("%s.events[%d]", path, j), "%q matches no event type", e)
			}
		}
		if w.MaxAttempts < 0 {
			ps.add(path+".max_attempts", "cannot be negative (0 = 12)")
		}
		if w.MinBackoff < 0 || w.MaxBackoff < 0 || w.Timeout < 0 {
			ps.add(path, "min_backoff, max_backoff and timeout cannot be negative (0 = the default)")
		}
		if w.MinBackoff > 0 && w.MaxBackoff > 0 && w.MinBackoff > w.MaxBackoff {
			ps.add(path+".min_backoff", "is above max_backoff")
		}
	}
}
