package slack

import (
	"bytes"
	"io"
	"math"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"cornershop/bots/internal/hold"
)

// held is the Web API transport that keeps Slack's Retry-After windows.
// chat.postMessage is limited per channel, every other method per
// workspace: a 429 closes the channel (for chat.postMessage; the window's
// key is the channel's id, as the pacer's) or "method:" and the method
// for the time Slack asked, and a call inside a window is answered
// here with a 429 for the time left instead of being sent — so a reply in
// one desk thread does not break a window another thread's post opened.
type held struct {
	w    *hold.Windows
	next http.RoundTripper
	// locks keeps one post per channel in flight, so a second post cannot
	// reach Slack while the first one's 429 (opening the window) is still
	// on its way back.
	locks *keyLocks
}

// keyLocks is a mutex per key, made on first use.
type keyLocks struct {
	mu    sync.Mutex
	locks map[string]*sync.Mutex
}

func (k *keyLocks) lock(key string) func() {
	k.mu.Lock()
	if k.locks == nil {
		k.locks = map[string]*sync.Mutex{}
	}
	l, ok := k.locks[key]
	if !ok {
		l = &sync.Mutex{}
		k.locks[key] = l
	}
	k.mu.Unlock()
	l.Lock()
	return l.Unlock
}

func (t held) RoundTrip(r *http.Request) (*http.Response, error) {
	key, post, err := windowOf(r)
	if err != nil {
		return nil, err
	}
	if post && t.locks != nil {
		defer t.locks.lock(key)()
	}
	if left := t.w.Left(key); left > 0 {
		return tooSoon(r, left), nil
	}
	resp, err := t.next.RoundTrip(r)
	if err != nil || resp.StatusCode != http.StatusTooManyRequests {
		return resp, err
	}
	after := time.Second
	if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s > 0 {
		after = time.Duration(s) * time.Second
	}
	t.w.Hold(key, after)
	return resp, nil
}

// windowOf names the window a call falls in, reading the channel of a
// chat.postMessage (post) from its form and putting the body back.
func windowOf(r *http.Request) (key string, post bool, err error) {
	method := path.Base(r.URL.Path)
	if method != "chat.postMessage" {
		return "method:" + method, false, nil
	}
	channel := r.URL.Query().Get("channel")
	if r.Body != nil && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		body, err := io.ReadAll(r.Body)
		r.Body.Close()
		if err != nil {
			return "", true, err
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		if v, err := url.ParseQuery(string(body)); err == nil && v.Get("channel") != "" {
			channel = v.Get("channel")
		}
	}
	return channel, true, nil
}

// tooSoon is the 429 held answers for a call inside a window.
func tooSoon(r *http.Request, left time.Duration) *http.Response {
	body := `{"ok":false,"error":"ratelimited"}`
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("Retry-After", strconv.Itoa(int(math.Ceil(left.Seconds()))))
	return &http.Response{StatusCode: http.StatusTooManyRequests, Status: "429 Too Many Requests", Header: h, Request: r,
		Body: io.NopCloser(strings.NewReader(body)), ContentLength: int64(len(body)), Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1}
}
