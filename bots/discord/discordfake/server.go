package discordfake

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"cornershop/bots/internal/emu"
)

// Options configure the emulator. Zero values take the defaults in brackets.
type Options struct {
	Token         string // the bot token ["test-bot-token"]
	ApplicationID string // ["1100000000000000001"]
	// HeartbeatInterval is sent in HELLO [30s].
	HeartbeatInterval time.Duration
	Now               func() time.Time
	Logger            *slog.Logger
}

// Server is a running emulator; all methods are safe for concurrent use.
type Server struct {
	o   Options
	ln  net.Listener
	srv *http.Server
	bot User

	mu           sync.Mutex
	changed      *emu.Changes
	users        map[string]User
	guilds       map[string]*Guild
	channels     map[string]*Channel
	messages     map[string][]*Message
	webhooks     map[string]*Webhook
	commands     []json.RawMessage
	interactions map[string]*interaction
	sessions     map[string]*session
	conns        map[*websocket.Conn]*session
	faults       []fault
	blocked      map[string]time.Time // route -> retry window end
	dmClosed     map[string]bool      // users who do not accept DMs
	violations   int
	idSeq        int64
	closed       chan struct{}
	wg           sync.WaitGroup
}

type fault struct {
	route      string // substring of the path, "" any
	status     int
	retryAfter float64
}

// Start listens on addr (e.g. "127.0.0.1:0") and serves Discord.
func Start(addr string, o Options) (*Server, error) {
	if o.Token == "" {
		o.Token = "test-bot-token"
	}
	if o.ApplicationID == "" {
		o.ApplicationID = "1100000000000000001"
	}
	if o.HeartbeatInterval <= 0 {
		o.HeartbeatInterval = 30 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("discordfake: listen: %w", err)
	}
	s := &Server{
		o: o, ln: ln, bot: User{ID: o.ApplicationID, Username: "cornershop", Bot: true},
		changed: emu.NewChanges(), users: map[string]User{}, guilds: map[string]*Guild{}, channels: map[string]*Channel{},
		messages: map[string][]*Message{}, webhooks: map[string]*Webhook{}, interactions: map[string]*interaction{},
		sessions: map[string]*session{}, conns: map[*websocket.Conn]*session{}, blocked: map[string]time.Time{}, dmClosed: map[string]bool{}, closed: make(chan struct{}),
	}
	s.users[s.bot.ID] = s.bot
	s.srv = &http.Server{Handler: http.HandlerFunc(s.serve), ReadHeaderTimeout: 5 * time.Second}
	s.wg.Go(func() { _ = s.srv.Serve(ln) })
	return s, nil
}

// URL is the emulator's base URL.
func (s *Server) URL() string { return "http://" + s.ln.Addr().String() }

// Token is the bot token the emulator accepts.
func (s *Server) Token() string { return s.o.Token }

// ApplicationID is the bot's application (and user) id.
func (s *Server) ApplicationID() string { return s.o.ApplicationID }

// Close stops the emulator.
func (s *Server) Close() error {
	close(s.closed)
	s.mu.Lock()
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	err := s.srv.Shutdown(ctx)
	s.wg.Wait()
	return err
}

// rewrite sends every request, whatever its host, to the emulator.
type rewrite struct{ target *url.URL }

func (t rewrite) RoundTrip(r *http.Request) (*http.Response, error) {
	r2 := r.Clone(r.Context())
	r2.URL.Scheme, r2.URL.Host, r2.Host = t.target.Scheme, t.target.Host, t.target.Host
	return http.DefaultTransport.RoundTrip(r2)
}

// Transport rewrites requests for discord.com (or any host) to the emulator.
func (s *Server) Transport() http.RoundTripper {
	u, _ := url.Parse(s.URL())
	return rewrite{target: u}
}

// HTTPClient is a client whose requests all reach the emulator.
func (s *Server) HTTPClient() *http.Client {
	return &http.Client{Transport: s.Transport(), Timeout: 10 * time.Second}
}

func (s *Server) notifyLocked() { s.changed.Notify() }

// WaitFor blocks until cond is true or ctx ends.
func (s *Server) WaitFor(ctx context.Context, cond func() bool) error {
	return emu.WaitFor(ctx, &s.mu, s.changed, cond)
}

// FailNext makes the next n REST calls whose path contains route ("" any)
// answer status.
func (s *Server) FailNext(route string, n, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults = append(s.faults, fault{route: route, status: status})
	}
}

// RateLimitNext answers the next n REST calls whose path contains route
// ("" any) with 429 and retry_after seconds.
func (s *Server) RateLimitNext(route string, n int, retryAfter float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults = append(s.faults, fault{route: route, status: http.StatusTooManyRequests, retryAfter: retryAfter})
	}
}

// Violations counts calls made inside an announced retry window.
func (s *Server) Violations() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.violations
}

type apiError struct {
	status int
	code   int
	msg    string
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/gateway-ws") {
		s.gateway(w, r)
		return
	}
	path := r.URL.Path
	for _, v := range []string{"/api/v9", "/api/v10"} {
		path = strings.TrimPrefix(path, v)
	}
	route := bucketOf(r.Method, path)
	s.mu.Lock()
	if until, ok := s.blocked[route]; ok && s.o.Now().Before(until) {
		s.violations++
		retry := until.Sub(s.o.Now()).Seconds()
		s.mu.Unlock()
		s.rateLimited(w, retry)
		return
	}
	for i, f := range s.faults {
		if f.route != "" && !strings.Contains(path, f.route) {
			continue
		}
		s.faults = slices.Delete(s.faults, i, i+1)
		if f.status == http.StatusTooManyRequests {
			s.blocked[route] = s.o.Now().Add(time.Duration(f.retryAfter * float64(time.Second)))
			s.mu.Unlock()
			s.rateLimited(w, f.retryAfter)
			return
		}
		s.mu.Unlock()
		writeJSON(w, f.status, map[string]any{"message": http.StatusText(f.status), "code": 0})
		return
	}
	s.mu.Unlock()
	w.Header().Set("X-RateLimit-Limit", "50")
	w.Header().Set("X-RateLimit-Remaining", "49")
	w.Header().Set("X-RateLimit-Reset-After", "1.000")
	w.Header().Set("X-RateLimit-Reset", strconv.FormatFloat(float64(s.o.Now().Add(time.Second).UnixMilli())/1000, 'f', 3, 64))
	w.Header().Set("X-RateLimit-Bucket", fmt.Sprintf("%x", len(route)*7919))
	status, body := s.rest(r, path)
	if e, ok := body.(*apiError); ok {
		writeJSON(w, e.status, map[string]any{"message": e.msg, "code": e.code})
		return
	}
	if status == http.StatusNoContent {
		w.WriteHeader(status)
		return
	}
	writeJSON(w, status, body)
}

func (s *Server) rateLimited(w http.ResponseWriter, retry float64) {
	w.Header().Set("Retry-After", strconv.Itoa(int(retry+0.999)))
	w.Header().Set("X-RateLimit-Limit", "5")
	w.Header().Set("X-RateLimit-Remaining", "0")
	w.Header().Set("X-RateLimit-Reset-After", strconv.FormatFloat(retry, 'f', 3, 64))
	w.Header().Set("X-RateLimit-Scope", "user")
	writeJSON(w, http.StatusTooManyRequests, map[string]any{"message": "You are being rate limited.", "retry_after": retry, "global": false})
}

// bucketOf names the rate-limit route of a request: its method and path
// with ids kept only for top-level resources.
func bucketOf(method, path string) string {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	for i := range parts {
		if i >= 2 && isID(parts[i]) {
			parts[i] = "{id}"
		}
	}
	return method + " /" + strings.Join(parts, "/")
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
