package discordfake

import (
	"crypto/sha1"
	"encoding/hex"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"cornershop/bots/internal/emu"
)

// limiter holds rate-limit buckets and injected faults.
type limiter struct {
	faults       []fault
	blocked      map[string]time.Time // bucket key -> end of the announced retry window
	global       window
	globalEnd    time.Time
	buckets      map[string]*window
	violations   int
	violationLog []string // the bucket key (or "global: call") of each violation
	limited      int
	limitedLog   []string // the bucket key of each enforced 429
	latency      []delay
	answerLag    []delay
}

type fault struct {
	route      string // substring of "METHOD /path", "" any
	status     int
	retryAfter float64
	global     bool
}

type delay struct {
	route string
	d     time.Duration
}

type window struct {
	start time.Time
	count int
}

func newLimiter() limiter {
	return limiter{blocked: map[string]time.Time{}, buckets: map[string]*window{}}
}

// GlobalLimit is Discord's global limit per bot: requests per second.
const GlobalLimit = 50

// routeOf names the rate-limit route of a request (method and path with
// minor ids templated) and its bucket key (route plus the top-level
// resource: channel, guild, or webhook id and token).
func routeOf(method, path string) (route, key string) {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	major := ""
	if len(parts) >= 2 && (parts[0] == "channels" || parts[0] == "guilds" || parts[0] == "webhooks") {
		major = parts[1]
		if parts[0] == "webhooks" && len(parts) >= 3 {
			major += "/" + parts[2]
			parts[2] = "{token}"
		}
	}
	for i := 1; i < len(parts); i++ {
		switch {
		case parts[i-1] == "reactions":
			parts[i] = "{emoji}"
			if i+1 < len(parts) {
				parts[i+1] = "{user}"
				i++
			}
		case isID(parts[i]) || parts[i] == "@original":
			parts[i] = "{id}"
		}
	}
	route = method + " /" + strings.Join(parts, "/")
	return route, route + " " + major
}

// limitOf is Discord's documented or observed limit for a route.
func limitOf(route string) (int, time.Duration) {
	switch {
	case strings.HasPrefix(route, "POST /webhooks/"):
		return 5, 2 * time.Second
	case strings.Contains(route, "/reactions/"):
		return 1, 250 * time.Millisecond
	case strings.HasPrefix(route, "POST /channels/{id}/messages"):
		return 5, 5 * time.Second
	}
	return 10, 10 * time.Second
}

func isID(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func bucketHash(route string) string {
	h := sha1.Sum([]byte(route))
	return hex.EncodeToString(h[:8])
}

// admit applies latency, faults and rate limits to a request; when it
// returns false it has already answered.
func (s *Server) admit(w http.ResponseWriter, r *http.Request, path string) bool {
	route, key := routeOf(r.Method, path)
	call := r.Method + " " + path
	var fate emu.Fate
	if !strings.HasPrefix(path, "/gateway") && !strings.HasPrefix(path, "/interactions/") {
		fate = s.chaos.Load().Roll(call) // the gateway suffers DropGateway instead
	}
	s.mu.Lock()
	wait := fate.Delay
	for _, d := range s.limits.latency {
		if strings.Contains(call, d.route) {
			wait += d.d
		}
	}
	s.mu.Unlock()
	if wait > 0 {
		select {
		case <-time.After(wait):
		case <-r.Context().Done():
			return false
		case <-s.closed:
			return false
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.o.Now()
	l := &s.limits
	exempt := strings.HasPrefix(path, "/interactions/")
	if !exempt && now.Before(l.globalEnd) {
		l.violations++
		l.violationLog = append(l.violationLog, "global: "+call)
		s.rateLimited(w, route, l.globalEnd.Sub(now).Seconds(), true)
		return false
	}
	if end, ok := l.blocked[key]; ok && now.Before(end) {
		l.violations++
		l.violationLog = append(l.violationLog, key)
		s.rateLimited(w, route, end.Sub(now).Seconds(), false)
		return false
	}
	for i, f := range l.faults {
		if f.route != "" && !strings.Contains(call, f.route) {
			continue
		}
		l.faults = slices.Delete(l.faults, i, i+1)
		s.notifyLocked()
		if f.status == http.StatusTooManyRequests {
			end := now.Add(time.Duration(f.retryAfter * float64(time.Second)))
			if f.global {
				l.globalEnd = end
			} else {
				l.blocked[key] = end
			}
			s.rateLimited(w, route, f.retryAfter, f.global)
			return false
		}
		writeJSON(w, f.status, map[string]any{"message": strconv.Itoa(f.status) + ": " + http.StatusText(f.status), "code": 0})
		return false
	}
	switch {
	case fate.Status == http.StatusTooManyRequests:
		l.blocked[key] = now.Add(fate.RetryAfter)
		s.rateLimited(w, route, fate.RetryAfter.Seconds(), false)
		return false
	case fate.Status != 0:
		writeJSON(w, fate.Status, map[string]any{"message": strconv.Itoa(fate.Status) + ": " + http.StatusText(fate.Status), "code": 0})
		return false
	}
	limit, per := limitOf(route)
	if s.o.RateLimits && !exempt {
		if now.Sub(l.global.start) >= time.Second {
			l.global = window{start: now}
		}
		if l.global.count >= GlobalLimit {
			l.globalEnd = l.global.start.Add(time.Second)
			l.limited++
			l.limitedLog = append(l.limitedLog, key)
			s.rateLimited(w, route, l.globalEnd.Sub(now).Seconds(), true)
			return false
		}
		l.global.count++
	}
	b := l.buckets[key]
	if b == nil || now.Sub(b.start) >= per {
		b = &window{start: now}
		l.buckets[key] = b
	}
	reset := b.start.Add(per)
	if s.o.RateLimits && b.count >= limit {
		l.blocked[key] = reset
		l.limited++
		l.limitedLog = append(l.limitedLog, key)
		s.rateLimited(w, route, reset.Sub(now).Seconds(), false)
		return false
	}
	b.count++
	remaining := limit - b.count
	if !s.o.RateLimits {
		remaining = max(remaining, 1) // announced, never reached
	}
	h := w.Header()
	h.Set("X-RateLimit-Limit", strconv.Itoa(limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(remaining))
	h.Set("X-RateLimit-Reset", strconv.FormatFloat(float64(reset.UnixMilli())/1000, 'f', 3, 64))
	h.Set("X-RateLimit-Reset-After", strconv.FormatFloat(reset.Sub(now).Seconds(), 'f', 3, 64))
	h.Set("X-RateLimit-Bucket", bucketHash(route))
	return true
}

// rateLimited writes Discord's 429.
func (s *Server) rateLimited(w http.ResponseWriter, route string, retry float64, global bool) {
	retry = math.Round(retry*1000) / 1000
	h := w.Header()
	h.Set("Retry-After", strconv.Itoa(int(math.Ceil(retry))))
	scope := "user"
	if global {
		scope = "global"
		h.Set("X-RateLimit-Global", "true")
	} else {
		limit, _ := limitOf(route)
		h.Set("X-RateLimit-Limit", strconv.Itoa(limit))
		h.Set("X-RateLimit-Remaining", "0")
		h.Set("X-RateLimit-Reset", strconv.FormatFloat(float64(s.o.Now().UnixMilli())/1000+retry, 'f', 3, 64))
		h.Set("X-RateLimit-Reset-After", strconv.FormatFloat(retry, 'f', 3, 64))
		h.Set("X-RateLimit-Bucket", bucketHash(route))
	}
	h.Set("X-RateLimit-Scope", scope)
	writeJSON(w, http.StatusTooManyRequests, map[string]any{"message": "You are being rate limited.", "retry_after": retry, "global": global})
}

// FailNext makes the next n REST calls whose "METHOD /path" (path without
// /api/v9) contains route ("" any) answer status with a Discord error body.
func (s *Server) FailNext(route string, n, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.limits.faults = append(s.limits.faults, fault{route: route, status: status})
	}
}

// RateLimitNext answers the next n REST calls matching route (as in
// FailNext) with 429 and retry_after seconds; calls to the same bucket
// inside that window count as Violations.
func (s *Server) RateLimitNext(route string, n int, retryAfter float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.limits.faults = append(s.limits.faults, fault{route: route, status: http.StatusTooManyRequests, retryAfter: retryAfter})
	}
}

// GlobalRateLimitNext answers the next REST call matching route with a
// global 429 (global: true); every call inside the window is a violation.
func (s *Server) GlobalRateLimitNext(route string, retryAfter float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limits.faults = append(s.limits.faults, fault{route: route, status: http.StatusTooManyRequests, retryAfter: retryAfter, global: true})
}

// SetLatency delays every REST call matching route (as in FailNext) by d
// before it is answered; d = 0 removes the delays for route.
func (s *Server) SetLatency(route string, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limits.latency = slices.DeleteFunc(s.limits.latency, func(x delay) bool { return x.route == route })
	if d > 0 {
		s.limits.latency = append(s.limits.latency, delay{route: route, d: d})
	}
}

// SetRateLimits turns the enforcement of buckets and the global limit
// (Options.RateLimits) on or off from now on.
func (s *Server) SetRateLimits(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.o.RateLimits = on
}

// Chaos is random misbehaviour (see SetChaos).
type Chaos = emu.Chaos

// ChaosCounts is how many calls chaos saw and hurt.
type ChaosCounts = emu.ChaosCounts

// SetChaos makes every REST call but the gateway lookup (the gateway
// suffers DropGateway instead) and interaction callbacks suffer c at
// random: 5xx answers, 429s that open their bucket's window as
// RateLimitNext does, and late answers. A zero Chaos turns it off.
func (s *Server) SetChaos(c Chaos) {
	s.chaos.Store(emu.NewDice(c))
}

// ChaosCounts reports what chaos did since SetChaos.
func (s *Server) ChaosCounts() ChaosCounts { return s.chaos.Load().Counts() }

// SetAnswerLatency makes REST calls whose "METHOD /path" contains route
// take effect at once but get their answer d late (0 removes it), as a
// busy Discord or a slow network does: a client that dies meanwhile never
// learns that its message was created.
func (s *Server) SetAnswerLatency(route string, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limits.answerLag = slices.DeleteFunc(s.limits.answerLag, func(x delay) bool { return x.route == route })
	if d > 0 {
		s.limits.answerLag = append(s.limits.answerLag, delay{route: route, d: d})
	}
}

// answerLatency is how late the answer to a call is sent.
func (s *Server) answerLatency(method, path string) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	var wait time.Duration
	for _, d := range s.limits.answerLag {
		if strings.Contains(method+" "+path, d.route) {
			wait += d.d
		}
	}
	return wait
}

// PendingFaults counts injected faults not yet consumed.
func (s *Server) PendingFaults() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.limits.faults)
}

// Violations counts calls made inside an announced retry-after window
// (per bucket or global). A well-behaved client keeps it at zero.
func (s *Server) Violations() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.limits.violations
}

// ViolationLog lists, for each violation in order, the bucket it hit
// ("METHOD /route major-id"), or "global: " and the call.
func (s *Server) ViolationLog() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.limits.violationLog)
}

// RateLimitedLog lists the bucket of each 429 RateLimited counts.
func (s *Server) RateLimitedLog() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.limits.limitedLog)
}

// RateLimited counts 429s caused by exceeding an enforced bucket or the
// global limit (Options.RateLimits), not by injected faults.
func (s *Server) RateLimited() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.limits.limited
}
