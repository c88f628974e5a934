package telegramfake

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"cornershop/bots/internal/emu"
)

// Options configure the emulator. Zero values take the defaults in brackets.
type Options struct {
	Token       string // the bot's token ["123456:TEST-TOKEN"]
	BotUsername string // ["cornershop_bot"]
	// Now is the clock (the 48-hour delete rule, message dates) [time.Now].
	Now func() time.Time
	// WebhookRetry is the wait before a failed webhook push is retried
	// [100ms]; Telegram waits longer, tests do not need to.
	WebhookRetry time.Duration
	// RateLimits enforces Telegram's published limits: about one message a
	// second per chat, 20 a minute per group, 30 a second overall.
	RateLimits bool
	Logger     *slog.Logger
}

// Server is a running emulator. All its methods are safe for concurrent use.
type Server struct {
	o   Options
	ln  net.Listener
	srv *http.Server
	bot User

	mu        sync.Mutex
	changed   *emu.Changes // closed and replaced whenever state changes
	users     map[int64]User
	chats     map[int64]*chat
	files     map[string]File
	updates   []update
	allowed   []string
	hook      *webhook
	calls     []Call
	faults    []fault
	limits    *limiter
	callbacks map[string]string // callback query id -> answer text ("" when unanswered)
	nextID    int64
	nextGroup int64
	nextFile  int
	nextUpd   int
	nextCB    int
	closed    chan struct{}
	wg        sync.WaitGroup
}

// Call is one Bot API request the emulator received.
type Call struct {
	Method string
	Params map[string]string
	At     time.Time
	Status int
}

type fault struct {
	method     string // "" for any
	status     int
	retryAfter int
}

// Start listens on addr (e.g. "127.0.0.1:0") and serves the Bot API.
func Start(addr string, o Options) (*Server, error) {
	if o.Token == "" {
		o.Token = "123456:TEST-TOKEN"
	}
	if o.BotUsername == "" {
		o.BotUsername = "cornershop_bot"
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.WebhookRetry <= 0 {
		o.WebhookRetry = 100 * time.Millisecond
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("telegramfake: listen: %w", err)
	}
	botID, _ := strconv.ParseInt(strings.SplitN(o.Token, ":", 2)[0], 10, 64)
	s := &Server{
		o: o, ln: ln, bot: User{ID: botID, IsBot: true, FirstName: "Cornershop", Username: o.BotUsername},
		changed: emu.NewChanges(), users: map[int64]User{}, chats: map[int64]*chat{}, files: map[string]File{},
		callbacks: map[string]string{}, nextID: 1000, closed: make(chan struct{}), limits: newLimiter(),
	}
	s.users[s.bot.ID] = s.bot
	s.srv = &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 5 * time.Second}
	s.wg.Go(func() { _ = s.srv.Serve(ln) })
	return s, nil
}

// URL is the emulator's base URL, e.g. http://127.0.0.1:PORT.
func (s *Server) URL() string { return "http://" + s.ln.Addr().String() }

// APIEndpoint is the format string for tgbotapi.NewBotAPIWithAPIEndpoint.
func (s *Server) APIEndpoint() string { return s.URL() + "/bot%s/%s" }

// Token is the bot token the emulator accepts.
func (s *Server) Token() string { return s.o.Token }

// Close stops the server and its webhook pushes.
func (s *Server) Close() error {
	close(s.closed)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	err := s.srv.Shutdown(ctx)
	s.wg.Wait()
	return err
}

// Handler serves the Bot API (/bot<token>/<method>) and file downloads
// (/file/bot<token>/<path>).
func (s *Server) Handler() http.Handler {
	return http.HandlerFunc(s.serve)
}

// notifyLocked wakes long polls and webhook pushes; s.mu must be held.
func (s *Server) notifyLocked() { s.changed.Notify() }

// WaitFor blocks until cond (called with no lock held) is true or ctx ends.
func (s *Server) WaitFor(ctx context.Context, cond func() bool) error {
	return emu.WaitFor(ctx, &s.mu, s.changed, cond)
}

// Calls returns every request received, oldest first.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Call, len(s.calls))
	copy(out, s.calls)
	return out
}

// FailNext makes the next n calls of method ("" for any) fail with the
// HTTP status (5xx: "Internal Server Error" like Telegram's front end).
func (s *Server) FailNext(method string, n, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults = append(s.faults, fault{method: method, status: status})
	}
}

// RateLimitNext answers the next n calls of method ("" for any) with 429
// and retry_after seconds.
func (s *Server) RateLimitNext(method string, n, retryAfter int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults = append(s.faults, fault{method: method, status: http.StatusTooManyRequests, retryAfter: retryAfter})
	}
}

// apiError is a Bot API error answer.
type apiError struct {
	code       int
	desc       string
	retryAfter int
}

func (e *apiError) Error() string { return e.desc }

func badRequest(format string, args ...any) *apiError {
	return &apiError{code: 400, desc: "Bad Request: " + fmt.Sprintf(format, args...)}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, e *apiError) {
	body := map[string]any{"ok": false, "error_code": e.code, "description": e.desc}
	if e.retryAfter > 0 {
		body["parameters"] = map[string]any{"retry_after": e.retryAfter}
		w.Header().Set("Retry-After", strconv.Itoa(e.retryAfter))
	}
	writeJSON(w, e.code, body)
}

// params reads a request's parameters from the query, a form, a JSON body
// or a multipart body, as the Bot API accepts all of them.
func params(r *http.Request) (map[string]string, map[string]*multipart.FileHeader, error) {
	p := map[string]string{}
	for k, v := range r.URL.Query() {
		p[k] = v[0]
	}
	ct := r.Header.Get("Content-Type")
	switch {
	case strings.HasPrefix(ct, "multipart/form-data"):
		if err := r.ParseMultipartForm(64 << 20); err != nil {
			return nil, nil, err
		}
		for k, v := range r.MultipartForm.Value {
			p[k] = v[0]
		}
		files := map[string]*multipart.FileHeader{}
		for k, v := range r.MultipartForm.File {
			files[k] = v[0]
		}
		return p, files, nil
	case strings.HasPrefix(ct, "application/json"):
		var body map[string]any
		if err := json.NewDecoder(io.LimitReader(r.Body, 16<<20)).Decode(&body); err != nil && !errors.Is(err, io.EOF) {
			return nil, nil, err
		}
		for k, v := range body {
			if s, ok := v.(string); ok {
				p[k] = s
				continue
			}
			b, _ := json.Marshal(v)
			p[k] = string(b)
		}
	default:
		if err := r.ParseForm(); err != nil {
			return nil, nil, err
		}
		for k, v := range r.PostForm {
			p[k] = v[0]
		}
	}
	return p, nil, nil
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, "/")
	if rest, ok := strings.CutPrefix(path, "file/bot"); ok {
		s.download(w, rest)
		return
	}
	rest, ok := strings.CutPrefix(path, "bot")
	token, method, ok2 := strings.Cut(rest, "/")
	if !ok || !ok2 {
		writeError(w, &apiError{code: 404, desc: "Not Found"})
		return
	}
	if token != s.o.Token {
		writeError(w, &apiError{code: 401, desc: "Unauthorized"})
		return
	}
	p, files, err := params(r)
	if err != nil {
		writeError(w, badRequest("invalid request body"))
		return
	}
	if method == "getUpdates" {
		s.getUpdates(w, r.Context(), p)
		return
	}
	s.mu.Lock()
	call := Call{Method: method, Params: p, At: s.o.Now()}
	if e := s.faultLocked(method, p); e != nil {
		call.Status = e.code
		s.calls = append(s.calls, call)
		s.notifyLocked()
		s.mu.Unlock()
		writeError(w, e)
		return
	}
	result, e := s.dispatchLocked(method, p, files)
	if e != nil {
		call.Status = e.code
	} else {
		call.Status = 200
	}
	s.calls = append(s.calls, call)
	s.notifyLocked()
	s.mu.Unlock()
	if e != nil {
		writeError(w, e)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "result": result})
}

// faultLocked returns an injected fault or a rate-limit answer for this
// call, if any.
func (s *Server) faultLocked(method string, p map[string]string) *apiError {
	for i, f := range s.faults {
		if f.method != "" && f.method != method {
			continue
		}
		s.faults = append(s.faults[:i], s.faults[i+1:]...)
		if f.status == http.StatusTooManyRequests {
			s.limits.block(p["chat_id"], s.o.Now(), time.Duration(f.retryAfter)*time.Second)
			return &apiError{code: 429, desc: fmt.Sprintf("Too Many Requests: retry after %d", f.retryAfter), retryAfter: f.retryAfter}
		}
		return &apiError{code: f.status, desc: http.StatusText(f.status)}
	}
	if !isSend(method) {
		return nil
	}
	chatID := p["chat_id"]
	if wait := s.limits.violated(chatID, s.o.Now()); wait > 0 {
		secs := int((wait + time.Second - 1) / time.Second)
		return &apiError{code: 429, desc: fmt.Sprintf("Too Many Requests: retry after %d", secs), retryAfter: secs}
	}
	if s.o.RateLimits {
		c := s.chats[atoi64(chatID)]
		group := c != nil && c.Type != Private
		if wait := s.limits.take(chatID, group, s.o.Now()); wait > 0 {
			secs := int((wait + time.Second - 1) / time.Second)
			s.limits.block(chatID, s.o.Now(), wait)
			return &apiError{code: 429, desc: fmt.Sprintf("Too Many Requests: retry after %d", secs), retryAfter: secs}
		}
	}
	return nil
}

// Violations counts send calls made while the bot had been told to wait
// (inside a retry_after window): a well-behaved client makes none.
func (s *Server) Violations() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.limits.violations
}

func isSend(method string) bool {
	switch method {
	case "sendMessage", "sendPhoto", "sendDocument", "sendVoice", "editMessageText", "createForumTopic":
		return true
	}
	return false
}

func atoi64(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}
