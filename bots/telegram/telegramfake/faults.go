package telegramfake

import (
	"net/http"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"cornershop/bots/internal/emu"
)

// fault is one injected misbehaviour for the next matching call.
type fault struct {
	method     string // lower-case method, "" for any
	status     int    // answer with this error status (429 uses retryAfter)
	retryAfter int
	drop       bool          // close the connection without an answer
	delay      time.Duration // answer late
}

// faultResult is what the next call suffers.
type faultResult struct {
	err   *apiError
	drop  bool
	delay time.Duration
}

// Violation is a call made while the bot had been told to wait (inside a
// retry_after window it was given). A well-behaved client makes none.
type Violation struct {
	Method string
	ChatID string        // "" for calls without a chat
	At     time.Time     // by Options.Now
	Left   time.Duration // how much of the window was left
}

func (s *Server) inject(method string, n int, f fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f.method = strings.ToLower(method)
	for range n {
		s.faults = append(s.faults, f)
	}
}

// FailNext makes the next n calls of method ("" for any) fail with the
// HTTP status (e.g. 500, 502) and Telegram's error body for it.
func (s *Server) FailNext(method string, n, status int) {
	s.inject(method, n, fault{status: status})
}

// RateLimitNext answers the next n calls of method ("" for any) with 429
// "Too Many Requests: retry after S" and parameters.retry_after = S, and
// opens a retry_after window for that chat (or, for calls without a chat,
// that method): calls inside it count as violations and get 429 again.
func (s *Server) RateLimitNext(method string, n, retryAfter int) {
	s.inject(method, n, fault{status: http.StatusTooManyRequests, retryAfter: retryAfter})
}

// DelayNext makes the next n calls of method ("" for any) wait d before
// being answered.
func (s *Server) DelayNext(method string, n int, d time.Duration) {
	s.inject(method, n, fault{delay: d})
}

// DropNext makes the emulator close the connection of the next n calls of
// method ("" for any) without answering, as a network failure would.
func (s *Server) DropNext(method string, n int) {
	s.inject(method, n, fault{drop: true})
}

// SetLatency delays every answer by d (0 turns it off).
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = d
}

// SetRateLimits turns the enforcement of the published flood limits
// (Options.RateLimits) on or off from now on; retry_after windows already
// announced stay open.
func (s *Server) SetRateLimits(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.o.RateLimits = on
}

// DropPolls closes the connections of all getUpdates long polls in flight
// without an answer.
func (s *Server) DropPolls() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dropGen++
	s.notifyLocked()
}

// Violations counts calls made inside a retry_after window.
func (s *Server) Violations() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.limits.violations)
}

// ViolationLog lists the calls made inside a retry_after window, in order.
func (s *Server) ViolationLog() []Violation {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Violation(nil), s.limits.violations...)
}

// takeFault consumes the first injected fault matching the call.
func (s *Server) takeFault(method string, p map[string]string) faultResult {
	s.mu.Lock()
	defer s.mu.Unlock()
	res := faultResult{delay: s.latency}
	lower := strings.ToLower(method)
	for i, f := range s.faults {
		if f.method != "" && f.method != lower {
			continue
		}
		s.faults = append(s.faults[:i], s.faults[i+1:]...)
		res.delay += f.delay
		res.drop = f.drop
		switch {
		case f.status == http.StatusTooManyRequests:
			s.limits.block(windowKey(lower, p), s.o.Now(), time.Duration(f.retryAfter)*time.Second)
			res.err = tooMany(f.retryAfter)
		case f.status != 0:
			res.err = &apiError{code: f.status, desc: statusDescription(f.status)}
		}
		break
	}
	return res
}

// statusDescription is the description Telegram's front end gives for a
// server-side failure.
func statusDescription(status int) string {
	if status == http.StatusBadGateway {
		return "Bad Gateway"
	}
	if text := http.StatusText(status); text != "" {
		return text
	}
	return "Internal Server Error"
}

// limited reports whether a method sends or changes messages, which
// Telegram's flood limits apply to.
func limited(lower string) bool {
	switch lower {
	case "sendmessage", "sendphoto", "senddocument", "sendvoice", "editmessagetext", "editmessagecaption",
		"editmessagereplymarkup", "createforumtopic", "editforumtopic", "deletemessage":
		return true
	}
	return false
}

// windowKey is what a 429 for this call blocks: its chat for sending
// methods, else the method.
func windowKey(lower string, p map[string]string) string {
	if limited(lower) && p["chat_id"] != "" {
		return "chat:" + p["chat_id"]
	}
	return "method:" + lower
}

// limitLocked refuses calls inside a retry_after window (recording a
// violation) and, with Options.RateLimits, calls over the flood limits.
func (s *Server) limitLocked(method string, p map[string]string) *apiError {
	lower := strings.ToLower(method)
	now := s.o.Now()
	keys := []string{"method:" + lower}
	if limited(lower) {
		keys = append(keys, "chat:"+p["chat_id"], "global")
	}
	if left := s.limits.inside(keys, now); left > 0 {
		s.limits.violations = append(s.limits.violations, Violation{Method: method, ChatID: p["chat_id"], At: now, Left: left})
		return tooMany(ceilSeconds(left))
	}
	if !s.o.RateLimits || !limited(lower) || lower == "deletemessage" {
		return nil
	}
	c := s.chats[atoi64(p["chat_id"])]
	group := c != nil && c.Type != Private
	if wait, key := s.limits.take(p["chat_id"], group, now); wait > 0 {
		s.limits.block(key, now, wait)
		return tooMany(ceilSeconds(wait))
	}
	return nil
}

func ceilSeconds(d time.Duration) int { return int((d + time.Second - 1) / time.Second) }

// limiter enforces Telegram's published flood limits and remembers the
// retry_after windows it announced.
type limiter struct {
	global     *rate.Limiter
	perChat    map[string]*rate.Limiter
	perGroup   map[string][]time.Time // sends in the last minute
	blocked    map[string]time.Time   // window key -> allowed again at
	violations []Violation
}

func newLimiter() *limiter {
	return &limiter{
		global:   rate.NewLimiter(30, 30),
		perChat:  map[string]*rate.Limiter{},
		perGroup: map[string][]time.Time{},
		blocked:  map[string]time.Time{},
	}
}

// inside returns how long is left of the longest open window among keys.
func (l *limiter) inside(keys []string, now time.Time) time.Duration {
	var left time.Duration
	for _, key := range keys {
		if until, ok := l.blocked[key]; ok {
			if now.Before(until) {
				left = max(left, until.Sub(now))
				continue
			}
			delete(l.blocked, key)
		}
	}
	return left
}

func (l *limiter) block(key string, now time.Time, d time.Duration) {
	if d > 0 {
		l.blocked[key] = now.Add(d)
	}
}

// take spends one message of the budgets and, when one is empty, returns
// how long to wait and which window to open: ~1/s per chat with bursts of
// 3, at most 20 in any minute per group, 30/s overall.
func (l *limiter) take(chat string, group bool, now time.Time) (time.Duration, string) {
	key := "chat:" + chat
	var recent []time.Time
	if group {
		for _, at := range l.perGroup[chat] {
			if now.Sub(at) < time.Minute {
				recent = append(recent, at)
			}
		}
		l.perGroup[chat] = recent
		if len(recent) >= 20 {
			return recent[0].Add(time.Minute).Sub(now), key
		}
	}
	pc, ok := l.perChat[chat]
	if !ok {
		pc = rate.NewLimiter(1, 3)
		l.perChat[chat] = pc
	}
	g := l.global.ReserveN(now, 1)
	if d := g.DelayFrom(now); d > 0 {
		g.CancelAt(now)
		return d, "global"
	}
	c := pc.ReserveN(now, 1)
	if d := c.DelayFrom(now); d > 0 {
		c.CancelAt(now)
		g.CancelAt(now)
		return d, key
	}
	if group {
		l.perGroup[chat] = append(recent, now)
	}
	return 0, ""
}

// Chaos is random misbehaviour (see SetChaos).
type Chaos = emu.Chaos

// ChaosCounts is how many calls chaos saw and hurt.
type ChaosCounts = emu.ChaosCounts

// SetChaos makes every call but getUpdates (which DropPolls breaks) suffer
// c at random: 5xx answers, 429 "retry after" answers that open a window
// for the call's chat (or method) as RateLimitNext does, and late answers.
// A zero Chaos turns it off.
func (s *Server) SetChaos(c Chaos) {
	s.chaos.Store(emu.NewDice(c))
}

// ChaosCounts reports what chaos did since SetChaos.
func (s *Server) ChaosCounts() ChaosCounts { return s.chaos.Load().Counts() }

// chaosLocked turns a chaos fate into the error Telegram would answer,
// opening the retry_after window of a 429.
func (s *Server) chaosLocked(method string, p map[string]string, f emu.Fate) *apiError {
	if f.Status == http.StatusTooManyRequests {
		secs := ceilSeconds(f.RetryAfter)
		s.limits.block(windowKey(strings.ToLower(method), p), s.o.Now(), time.Duration(secs)*time.Second)
		return tooMany(secs)
	}
	return &apiError{code: f.Status, desc: statusDescription(f.Status)}
}
