package slackfake

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"cornershop/bots/internal/emu"
)

// Options configure the emulator. Zero values take the defaults in brackets.
type Options struct {
	BotToken string // ["xoxb-test-token"]
	AppToken string // ["xapp-test-token"]
	// Scopes granted to the bot token [chat:write chat:write.customize
	// users:read channels:read groups:read im:read im:write reactions:write
	// files:write files:read].
	Scopes []string
	TeamID string // ["T00001"]
	// SigningSecret signs Events API pushes ["test-signing-secret"].
	SigningSecret string
	// EventsURL, when set, receives events as HTTP pushes (Events API)
	// instead of over Socket Mode.
	EventsURL string
	// RetryDelays are the waits before Slack's retries of a failed push
	// [10ms, 20ms, 40ms]; Slack waits about now, 1 and 5 minutes.
	RetryDelays []time.Duration
	// RateLimits enforces chat.postMessage's ~1 message a second per
	// channel (bursts of a few allowed).
	RateLimits bool
	Now        func() time.Time
	Logger     *slog.Logger
	// Observe, when set, is called with every Web API call once it is
	// answered, in order, with the emulator's lock held: it must return
	// quickly and must not call the Server's methods. Benchmarks use it to
	// timestamp deliveries without polling Calls.
	Observe func(Call)
}

// Server is a running Slack emulator; all methods are safe for concurrent
// use.
type Server struct {
	o       Options
	ln      net.Listener
	srv     *http.Server
	botUser string
	botID   string
	appID   string

	mu       sync.Mutex
	changed  *emu.Changes
	users    map[string]User
	channels map[string]*Channel
	messages map[string][]*Message
	files    map[string]*File
	uploads  map[string]string // upload id -> file id
	calls    []Call
	faults   []fault
	chaos    atomic.Pointer[emu.Dice]
	limits   map[string]time.Time // channel -> next allowed post
	blocked  map[string]time.Time // channel -> retry-after end
	violate  int
	latency  time.Duration
	sockets  map[*websocket.Conn]bool
	pending  map[string]envelope // envelope id -> unacked envelope
	acks     map[string]string   // envelope id -> ack payload
	pushes   []Push
	// broadcasts are bot posts and edits that would notify a whole channel
	broadcasts []Message
	ephemerals []Ephemeral
	seq        int
	tsSeq      int
	evSeq      int
	closed     chan struct{}
	wg         sync.WaitGroup
}

// Call is one Web API request received.
type Call struct {
	Method string
	Params url.Values
	At     time.Time
	Error  string // Slack's error string, "" when ok
}

// Push is one Events API delivery attempt.
type Push struct {
	EventID string
	Retry   int
	Status  int
}

type fault struct {
	method     string
	status     int
	retryAfter int
}

type envelope struct {
	ID   string
	Type string
	Body map[string]any
	Try  int
	Seq  int // order of first dispatch
}

// Start listens on addr (e.g. "127.0.0.1:0") and serves Slack.
func Start(addr string, o Options) (*Server, error) {
	if o.BotToken == "" {
		o.BotToken = "xoxb-test-token"
	}
	if o.AppToken == "" {
		o.AppToken = "xapp-test-token"
	}
	if o.Scopes == nil {
		o.Scopes = []string{"chat:write", "chat:write.customize", "users:read", "channels:read", "groups:read", "im:read", "im:write", "reactions:write", "files:write", "files:read"}
	}
	if o.TeamID == "" {
		o.TeamID = "T00001"
	}
	if o.SigningSecret == "" {
		o.SigningSecret = "test-signing-secret"
	}
	if o.RetryDelays == nil {
		o.RetryDelays = []time.Duration{10 * time.Millisecond, 20 * time.Millisecond, 40 * time.Millisecond}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("slackfake: listen: %w", err)
	}
	s := &Server{
		o: o, ln: ln, botUser: "UBOT00001", botID: "B00001", appID: "A00001",
		changed: emu.NewChanges(), users: map[string]User{}, channels: map[string]*Channel{}, messages: map[string][]*Message{},
		files: map[string]*File{}, uploads: map[string]string{}, limits: map[string]time.Time{}, blocked: map[string]time.Time{},
		sockets: map[*websocket.Conn]bool{}, pending: map[string]envelope{}, acks: map[string]string{}, closed: make(chan struct{}),
	}
	s.users[s.botUser] = User{ID: s.botUser, TeamID: o.TeamID, Name: "cornershop", RealName: "cornershop", IsBot: true}
	s.srv = &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 5 * time.Second}
	s.wg.Go(func() { _ = s.srv.Serve(ln) })
	return s, nil
}

// URL is the emulator's base URL.
func (s *Server) URL() string { return "http://" + s.ln.Addr().String() }

// APIURL is the Web API base for slack.OptionAPIURL (with its trailing /).
func (s *Server) APIURL() string { return s.URL() + "/api/" }

// BotToken and AppToken are the tokens the emulator accepts.
func (s *Server) BotToken() string { return s.o.BotToken }

// AppToken is the app-level token for Socket Mode.
func (s *Server) AppToken() string { return s.o.AppToken }

// SigningSecret signs Events API pushes.
func (s *Server) SigningSecret() string { return s.o.SigningSecret }

// BotUserID is the bot's user id.
func (s *Server) BotUserID() string { return s.botUser }

// Close stops the emulator.
func (s *Server) Close() error {
	close(s.closed)
	s.mu.Lock()
	for c := range s.sockets {
		c.Close()
	}
	s.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	err := s.srv.Shutdown(ctx)
	s.wg.Wait()
	return err
}

// Handler serves /api/<method>, the upload URLs, file downloads and the
// Socket Mode WebSocket; the user-side API (UserAPI) is under /emulator/.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/api/{method}", s.api)
	mux.HandleFunc("POST /upload/{id}", s.upload)
	mux.HandleFunc("GET /files/{id}", s.download)
	mux.HandleFunc("/socket", s.socket)
	return emu.WithUserAPI(mux, s.UserAPI())
}

func (s *Server) notifyLocked() { s.changed.Notify() }

// WaitFor blocks until cond is true or ctx ends.
func (s *Server) WaitFor(ctx context.Context, cond func() bool) error {
	return emu.WaitFor(ctx, &s.mu, s.changed, cond)
}

// Calls returns every Web API call received, oldest first.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

// FailNext makes the next n calls of method ("" any) answer status (5xx).
func (s *Server) FailNext(method string, n, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults = append(s.faults, fault{method: method, status: status})
	}
}

// RateLimitNext answers the next n calls of method ("" any) with 429 and
// Retry-After seconds.
func (s *Server) RateLimitNext(method string, n, retryAfter int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults = append(s.faults, fault{method: method, status: http.StatusTooManyRequests, retryAfter: retryAfter})
	}
}

// SetLatency delays the answer to every Web API call by d, as a distant
// platform would (0 turns it off).
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = d
}

// SetRateLimits turns the enforcement of chat.postMessage's per-channel
// limit (Options.RateLimits) on or off from now on.
func (s *Server) SetRateLimits(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.o.RateLimits = on
}

// Chaos is random misbehaviour (see SetChaos).
type Chaos = emu.Chaos

// ChaosCounts is how many calls chaos saw and hurt.
type ChaosCounts = emu.ChaosCounts

// SetChaos makes every Web API call but apps.connections.open (Socket Mode
// suffers Disconnect instead) suffer c at random: 5xx answers, 429s with
// Retry-After (for chat.postMessage opening the channel's window, as
// RateLimitNext does) and late answers. A zero Chaos turns it off.
func (s *Server) SetChaos(c Chaos) {
	s.chaos.Store(emu.NewDice(c))
}

// ChaosCounts reports what chaos did since SetChaos.
func (s *Server) ChaosCounts() ChaosCounts { return s.chaos.Load().Counts() }

// Violations counts calls made inside an announced Retry-After window.
func (s *Server) Violations() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.violate
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// params reads a Web API call's arguments from a form or a JSON body.
func params(r *http.Request) (url.Values, error) {
	v := url.Values{}
	for k, vs := range r.URL.Query() {
		v[k] = vs
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		var body map[string]any
		if err := json.NewDecoder(io.LimitReader(r.Body, 8<<20)).Decode(&body); err != nil && !errors.Is(err, io.EOF) {
			return nil, err
		}
		for k, val := range body {
			switch x := val.(type) {
			case string:
				v.Set(k, x)
			case bool:
				v.Set(k, strconv.FormatBool(x))
			case float64:
				v.Set(k, strconv.FormatFloat(x, 'f', -1, 64))
			default:
				b, _ := json.Marshal(x)
				v.Set(k, string(b))
			}
		}
		return v, nil
	}
	if err := r.ParseForm(); err != nil {
		return nil, err
	}
	for k, vs := range r.PostForm {
		v[k] = vs
	}
	return v, nil
}

func (s *Server) api(w http.ResponseWriter, r *http.Request) {
	method := r.PathValue("method")
	p, err := params(r)
	if err != nil {
		writeJSON(w, 200, map[string]any{"ok": false, "error": "invalid_json"})
		return
	}
	token := p.Get("token")
	if h := r.Header.Get("Authorization"); strings.HasPrefix(h, "Bearer ") {
		token = strings.TrimPrefix(h, "Bearer ")
	}
	p.Del("token")
	var fate emu.Fate
	if method != "apps.connections.open" { // Socket Mode suffers Disconnect instead
		fate = s.chaos.Load().Roll(method)
	}
	if fate.Delay > 0 {
		select {
		case <-time.After(fate.Delay):
		case <-r.Context().Done():
			return
		}
	}
	s.mu.Lock()
	latency := s.latency
	s.mu.Unlock()
	if latency > 0 {
		select {
		case <-time.After(latency):
		case <-r.Context().Done():
			return
		case <-s.closed:
			return
		}
	}
	s.mu.Lock()
	call := Call{Method: method, Params: p, At: s.now()}
	status, body := s.callLocked(method, token, p, &call, fate)
	s.calls = append(s.calls, call)
	if s.o.Observe != nil {
		s.o.Observe(call)
	}
	s.notifyLocked()
	s.mu.Unlock()
	if status == http.StatusTooManyRequests {
		w.Header().Set("Retry-After", strconv.Itoa(body["retry_after"].(int)))
		delete(body, "retry_after")
	}
	writeJSON(w, status, body)
}

func fail(code string) map[string]any { return map[string]any{"ok": false, "error": code} }

// callLocked authenticates, applies faults and limits, and runs a method.
func (s *Server) callLocked(method, token string, p url.Values, call *Call, fate emu.Fate) (int, map[string]any) {
	answer := func(status int, body map[string]any) (int, map[string]any) {
		if ok, _ := body["ok"].(bool); !ok {
			call.Error, _ = body["error"].(string)
		}
		return status, body
	}
	if method == "apps.connections.open" {
		if token != s.o.AppToken {
			return answer(200, fail("invalid_auth"))
		}
		return answer(200, map[string]any{"ok": true, "url": "ws://" + s.ln.Addr().String() + "/socket"})
	}
	switch {
	case token == "":
		return answer(200, fail("not_authed"))
	case token != s.o.BotToken:
		return answer(200, fail("invalid_auth"))
	}
	for i, f := range s.faults {
		if f.method != "" && f.method != method {
			continue
		}
		s.faults = slices.Delete(s.faults, i, i+1)
		if f.status == http.StatusTooManyRequests {
			s.blocked[p.Get("channel")] = s.now().Add(time.Duration(f.retryAfter) * time.Second)
			call.Error = "ratelimited"
			return 429, map[string]any{"ok": false, "error": "ratelimited", "retry_after": f.retryAfter}
		}
		call.Error = http.StatusText(f.status)
		return f.status, map[string]any{"ok": false, "error": "fatal_error"}
	}
	if method == "chat.postMessage" {
		ch := p.Get("channel")
		if until, ok := s.blocked[ch]; ok && s.now().Before(until) {
			s.violate++
			call.Error = "ratelimited"
			return 429, map[string]any{"ok": false, "error": "ratelimited", "retry_after": int(until.Sub(s.now())/time.Second) + 1}
		}
		if s.o.RateLimits {
			next := s.limits[ch]
			if s.now().Before(next.Add(-3 * time.Second)) {
				wait := int(next.Sub(s.now())/time.Second) + 1
				s.blocked[ch] = s.now().Add(time.Duration(wait) * time.Second)
				call.Error = "ratelimited"
				return 429, map[string]any{"ok": false, "error": "ratelimited", "retry_after": wait}
			}
			if next.Before(s.now()) {
				next = s.now()
			}
			s.limits[ch] = next.Add(time.Second)
		}
	}
	switch {
	case fate.Status == http.StatusTooManyRequests:
		secs := int((fate.RetryAfter + time.Second - 1) / time.Second)
		if method == "chat.postMessage" {
			s.blocked[p.Get("channel")] = s.now().Add(time.Duration(secs) * time.Second)
		}
		call.Error = "ratelimited"
		return 429, map[string]any{"ok": false, "error": "ratelimited", "retry_after": secs}
	case fate.Status != 0:
		call.Error = http.StatusText(fate.Status)
		return fate.Status, map[string]any{"ok": false, "error": "fatal_error"}
	}
	return answer(200, s.methodLocked(method, p))
}

func (s *Server) hasScope(scope string) bool { return slices.Contains(s.o.Scopes, scope) }

func (s *Server) missingScope(needed string) map[string]any {
	return map[string]any{"ok": false, "error": "missing_scope", "needed": needed, "provided": strings.Join(s.o.Scopes, ",")}
}
