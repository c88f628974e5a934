package discord

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"cornershop/bots/internal/hold"
)

// held is the REST transport that keeps Discord's retry-after windows.
// discordgo keys its buckets by URL, so a 429 on one thread's webhook
// post or one message's edit does not stop the next call to another
// thread or message, though Discord counts them in one bucket: the route
// with its major parameter (channel, guild, or webhook id and token).
// held keeps each bucket by that key: one call in flight at a time (so a
// second call cannot reach Discord after a first one's 429 opened a
// window), a window when Discord says the bucket is spent
// (X-RateLimit-Remaining: 0) or answers 429, and the global window. A call
// inside a window waits when the window ends soon, else held answers it
// itself with a 429 for the time left, without sending it.
type held struct {
	w     *hold.Windows
	next  http.RoundTripper
	mu    sync.Mutex
	locks map[string]*sync.Mutex
}

// shortWait is the longest a call waits in the transport for a window to
// end; longer waits go back to the outbox as a retry-after.
const shortWait = 2 * time.Second

func newHeld(next http.RoundTripper) *held {
	return &held{w: hold.New(nil), next: next, locks: map[string]*sync.Mutex{}}
}

func (t *held) lock(key string) *sync.Mutex {
	t.mu.Lock()
	defer t.mu.Unlock()
	l, ok := t.locks[key]
	if !ok {
		l = &sync.Mutex{}
		t.locks[key] = l
	}
	return l
}

const globalWindow = "global"

var apiVersion = regexp.MustCompile(`^/api/v\d+`)

func (t *held) RoundTrip(r *http.Request) (*http.Response, error) {
	key := bucketOf(r.Method, apiVersion.ReplaceAllString(r.URL.Path, ""))
	l := t.lock(key)
	l.Lock()
	defer l.Unlock()
	if left := t.w.Left(key, globalWindow); left > shortWait {
		return tooSoon(r, left), nil
	} else if left > 0 {
		select {
		case <-r.Context().Done():
			return nil, r.Context().Err()
		case <-time.After(left):
		}
	}
	resp, err := t.next.RoundTrip(r)
	if err != nil {
		return resp, err
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests && resp.Header.Get("X-RateLimit-Global") != "":
		t.w.Hold(globalWindow, retryAfter(resp))
	case resp.StatusCode == http.StatusTooManyRequests:
		t.w.Hold(key, retryAfter(resp))
	case resp.Header.Get("X-RateLimit-Remaining") == "0":
		if v, err := strconv.ParseFloat(resp.Header.Get("X-RateLimit-Reset-After"), 64); err == nil {
			t.w.Hold(key, time.Duration(math.Ceil(v*1000))*time.Millisecond)
		}
	}
	return resp, nil
}

// retryAfter reads a 429's window: X-RateLimit-Reset-After (milliseconds
// precision), else Retry-After (seconds), else one second.
func retryAfter(resp *http.Response) time.Duration {
	for _, h := range []string{"X-RateLimit-Reset-After", "Retry-After"} {
		if v, err := strconv.ParseFloat(resp.Header.Get(h), 64); err == nil && v > 0 {
			return time.Duration(math.Ceil(v*1000)) * time.Millisecond
		}
	}
	return time.Second
}

// heldMessage is the message of the 429s held makes up itself, so that
// classify can tell them from Discord's own.
const heldMessage = "held by cornershop: inside a retry-after window"

// tooSoon is the 429 held answers for a call inside a window.
func tooSoon(r *http.Request, left time.Duration) *http.Response {
	secs := math.Ceil(left.Seconds()*1000) / 1000
	body := fmt.Sprintf(`{"message":%q,"retry_after":%.3f,"global":false}`, heldMessage, secs)
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("Retry-After", strconv.Itoa(int(math.Ceil(secs))))
	return &http.Response{StatusCode: http.StatusTooManyRequests, Status: "429 Too Many Requests", Header: h, Request: r,
		Body: io.NopCloser(bytes.NewBufferString(body)), ContentLength: int64(len(body)), Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1}
}

// bucketOf names Discord's rate-limit bucket of a call: the method and the
// path with minor ids templated, plus the major parameter.
func bucketOf(method, path string) string {
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
		case isSnowflake(parts[i]):
			parts[i] = "{id}"
		}
	}
	return method + " /" + strings.Join(parts, "/") + " " + major
}

func isSnowflake(s string) bool {
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
