package discordfake

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"cornershop/bots/internal/emu"
)

// Options configure the emulator. Zero values take the defaults in brackets.
type Options struct {
	Token         string // the bot token, sent as "Bot <token>" ["test-bot-token"]
	ApplicationID string // the application and bot user id ["1100000000000000001"]
	BotName       string // the bot's username ["cornershop"]
	// HeartbeatInterval is sent in HELLO [30s].
	HeartbeatInterval time.Duration
	// RateLimits turns on enforcement of per-route buckets, the webhook
	// limit (5 per 2 s) and the global limit (50 requests/s). When off,
	// headers still announce generous buckets and only injected 429s
	// happen.
	RateLimits bool
	// Now is the clock for timestamps, snowflakes and rate-limit windows
	// [time.Now].
	Now    func() time.Time
	Logger *slog.Logger // [discard]
	// Observe, when set, is called with every REST call once it is
	// answered, with the emulator's lock held: it must return quickly and
	// must not call the Server's methods. Benchmarks use it to timestamp
	// deliveries and count 429s without polling.
	Observe func(Call)
}

// Call is one REST request the emulator answered.
type Call struct {
	Method string // HTTP method
	Path   string // without the /api/v9 or /api/v10 prefix
	At     time.Time
	Status int
}

// Server is a running emulator; all methods are safe for concurrent use.
type Server struct {
	o   Options
	ln  net.Listener
	srv *http.Server
	bot User
	h   http.Handler

	chaos    atomic.Pointer[emu.Dice]
	mu       sync.Mutex
	changed  *emu.Changes
	users    map[string]User
	guilds   map[string]*Guild
	channels map[string]*Channel
	messages map[string][]*Message
	// cdnExpired makes every attachment link answer 404, as Discord's
	// signed CDN links do once they expire (ExpireCDNLinks).
	cdnExpired   bool
	webhooks     map[string]*Webhook
	commands     map[string][]map[string]any // guild id ("" global) -> commands
	interactions map[string]*interaction
	sessions     map[string]*session
	conns        map[*websocket.Conn]*session
	actions      []Action
	allPings     []string
	dmClosed     map[string]bool // users who do not accept DMs
	noThreads    map[string]bool // channels where the bot may not start threads
	// endpoint is the Interactions Endpoint URL ("": the gateway).
	endpoint         string
	endpointStatuses []int
	limits           limiter
	idSeq            int64
	identifies       int
	closed           chan struct{}
	wg               sync.WaitGroup
}

// Start listens on addr (e.g. "127.0.0.1:0") and serves Discord's REST API
// under /api/v9 and /api/v10 and the Gateway. Close stops it.
func Start(addr string, o Options) (*Server, error) {
	if o.Token == "" {
		o.Token = "test-bot-token"
	}
	if o.ApplicationID == "" {
		o.ApplicationID = "1100000000000000001"
	}
	if o.BotName == "" {
		o.BotName = "cornershop"
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
		o: o, ln: ln, bot: User{ID: o.ApplicationID, Username: o.BotName, Avatar: "b07a7a7a", Bot: true},
		changed: emu.NewChanges(), users: map[string]User{}, guilds: map[string]*Guild{}, channels: map[string]*Channel{}, noThreads: map[string]bool{},
		messages: map[string][]*Message{}, webhooks: map[string]*Webhook{}, commands: map[string][]map[string]any{},
		interactions: map[string]*interaction{}, sessions: map[string]*session{}, conns: map[*websocket.Conn]*session{},
		dmClosed: map[string]bool{}, limits: newLimiter(), closed: make(chan struct{}),
	}
	s.users[s.bot.ID] = s.bot
	s.h = emu.WithUserAPI(http.HandlerFunc(s.serve), s.UserAPI())
	s.srv = &http.Server{Handler: s.h, ReadHeaderTimeout: 5 * time.Second}
	s.wg.Go(func() { _ = s.srv.Serve(ln) })
	return s, nil
}

// URL is the emulator's base URL ("http://127.0.0.1:PORT").
func (s *Server) URL() string { return "http://" + s.ln.Addr().String() }

// GatewayURL is the WebSocket URL GET /gateway returns.
func (s *Server) GatewayURL() string { return "ws://" + s.ln.Addr().String() + "/gateway-ws" }

// Handler serves the emulator's REST API and Gateway (for mounting it
// elsewhere; /gateway then still names this server's listener). The
// user-side API (UserAPI) is under /emulator/.
func (s *Server) Handler() http.Handler { return s.h }

// Token is the bot token the emulator accepts.
func (s *Server) Token() string { return s.o.Token }

// ApplicationID is the bot's application (and user) id.
func (s *Server) ApplicationID() string { return s.o.ApplicationID }

// Close stops the emulator and closes every gateway connection.
func (s *Server) Close() error {
	select {
	case <-s.closed:
		return nil
	default:
	}
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
	if err != nil {
		return fmt.Errorf("discordfake: close: %w", err)
	}
	return nil
}

// rewrite sends every request, whatever its host, to the emulator.
type rewrite struct{ target *url.URL }

func (t rewrite) RoundTrip(r *http.Request) (*http.Response, error) {
	r2 := r.Clone(r.Context())
	r2.URL.Scheme, r2.URL.Host, r2.Host = t.target.Scheme, t.target.Host, t.target.Host
	resp, err := http.DefaultTransport.RoundTrip(r2)
	if err != nil {
		return nil, fmt.Errorf("discordfake: %w", err)
	}
	return resp, nil
}

// Transport rewrites requests for discord.com, cdn.discordapp.com or any
// other host to the emulator, keeping path and query.
func (s *Server) Transport() http.RoundTripper {
	u, _ := url.Parse(s.URL())
	return rewrite{target: u}
}

// HTTPClient is a client whose requests all reach the emulator; set it as
// discordgo's Session.Client.
func (s *Server) HTTPClient() *http.Client {
	return &http.Client{Transport: s.Transport(), Timeout: 10 * time.Second}
}

func (s *Server) notifyLocked() { s.changed.Notify() }

// WaitFor blocks until cond (called without the emulator's lock, so it may
// call the Server's methods) holds or ctx ends, whose error it returns.
func (s *Server) WaitFor(ctx context.Context, cond func() bool) error {
	if err := emu.WaitFor(ctx, &s.mu, s.changed, cond); err != nil {
		return fmt.Errorf("discordfake: wait: %w", err)
	}
	return nil
}

// Changed returns a channel closed at the emulator's next state change.
func (s *Server) Changed() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.changed.C()
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// serve runs one request through faults and rate limits, then the REST
// router.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/gateway-ws") {
		s.gateway(w, r)
		return
	}
	if strings.HasPrefix(r.URL.Path, "/attachments/") || strings.HasPrefix(r.URL.Path, "/avatars/") {
		s.cdn(w, r)
		return
	}
	path := r.URL.Path
	for _, v := range []string{"/api/v9", "/api/v10", "/api"} {
		if strings.HasPrefix(path, v+"/") {
			path = strings.TrimPrefix(path, v)
			break
		}
	}
	if s.o.Observe != nil {
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		defer func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			s.o.Observe(Call{Method: r.Method, Path: path, At: s.o.Now(), Status: sw.status})
		}()
		w = sw
	}
	if !s.admit(w, r, path) {
		return
	}
	status, body := s.rest(r, path)
	if lag := s.answerLatency(r.Method, path); lag > 0 {
		select { // done already; only the answer is late
		case <-time.After(lag):
		case <-r.Context().Done():
			return
		case <-s.closed:
			return
		}
	}
	if e, ok := body.(*apiError); ok {
		writeJSON(w, e.status, e.body())
		return
	}
	if status == http.StatusNoContent {
		w.WriteHeader(status)
		return
	}
	writeJSON(w, status, body)
}

// statusWriter remembers the status a handler answered, for Observe.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(status int) {
	w.status = status
	w.ResponseWriter.WriteHeader(status)
}

// ExpireCDNLinks makes every attachment link handed out so far, and any
// later one, answer 404 "This content is no longer available.", as
// Discord's CDN does when a signed attachment link has expired.
func (s *Server) ExpireCDNLinks() {
	s.mu.Lock()
	s.cdnExpired = true
	s.mu.Unlock()
}

// cdn serves attachments and avatars.
func (s *Server) cdn(w http.ResponseWriter, r *http.Request) {
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if parts[0] == "avatars" {
		w.Header().Set("Content-Type", "image/png")
		_, _ = w.Write([]byte("\x89PNG\r\n\x1a\n"))
		return
	}
	s.mu.Lock()
	expired := s.cdnExpired
	s.mu.Unlock()
	if expired {
		http.Error(w, "This content is no longer available.", http.StatusNotFound)
		return
	}
	if len(parts) == 4 {
		s.mu.Lock()
		var data []byte
		found := false
		for _, m := range s.messages[parts[1]] {
			for _, a := range m.Attachments {
				if m.ID == parts[2] && a.Filename == parts[3] {
					data, found = a.Data, true
				}
			}
		}
		s.mu.Unlock()
		if found {
			_, _ = w.Write(data)
			return
		}
	}
	http.NotFound(w, r)
}
