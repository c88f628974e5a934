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
	"sync/atomic"
	"time"

	"cornershop/bots/internal/emu"
)

// DefaultToken is the bot token the emulator accepts when Options.Token is
// empty.
const DefaultToken = "123456:TEST-TOKEN"

// Options configure the emulator. Zero values take the defaults in brackets.
type Options struct {
	// Token is the bot's token, "<bot id>:<secret>" [DefaultToken]. Any
	// other token gets 401 Unauthorized.
	Token       string
	BotUsername string // ["cornershop_bot"]
	BotName     string // the bot's first_name ["Cornershop"]
	// Now is the clock for message dates, the 48-hour delete rule and the
	// rate limits [time.Now]. Long-poll timeouts use real time.
	Now func() time.Time
	// WebhookRetry is the wait before a failed webhook push is retried
	// [100ms]; Telegram waits longer, tests do not need to.
	WebhookRetry time.Duration
	// RateLimits enforces Telegram's published limits on sending calls:
	// about one message a second per chat (bursts of 3 tolerated), 20 a
	// minute per group, 30 a second overall; excess calls get 429.
	RateLimits bool
	// ReadAllGroupMessages turns the bot's privacy mode off. With it on
	// (the default, as for a new bot) a bot that is not an administrator
	// of a group only receives commands, messages mentioning it and replies
	// to its messages there.
	ReadAllGroupMessages bool
	// Logger receives one line per request at debug level [discard].
	Logger *slog.Logger
	// Observe, when set, is called with every Bot API call once it is
	// answered — getUpdates long polls as they arrive, with Status 200 —
	// in order, with the emulator's lock held: it must return quickly and
	// must not call the Server's methods. Benchmarks use it to timestamp
	// deliveries and acknowledged offsets without polling Calls.
	Observe func(Call)
	// ObservePush, when set, is called with every webhook push once it is
	// answered (or failed), in the order the answers come, with the
	// emulator's lock held: the same rules as Observe. A push answered 2xx
	// is one the bot acknowledged; benchmarks use it to time recording.
	ObservePush func(Push)
}

// Server is a running emulator. All its methods are safe for concurrent use.
type Server struct {
	o   Options
	ln  net.Listener
	srv *http.Server
	bot User

	mu         sync.Mutex
	changed    *emu.Changes // closed and replaced whenever state changes
	users      map[int64]User
	chats      map[int64]*chat
	files      map[string]File
	paths      map[string]string // file_path -> file id
	updates    []update
	allowed    []string // the remembered allowed_updates (nil: default)
	hook       *webhook
	calls      []Call
	actions    []Action
	faults     []fault
	chaos      atomic.Pointer[emu.Dice]
	latency    time.Duration
	limits     *limiter
	callbacks  map[string]*callbackQuery
	commands   json.RawMessage
	pollGen    int // incremented by each getUpdates; older polls end with 409
	dropGen    int // incremented by DropPolls
	nextID     int64
	nextGroup  int64
	nextFile   int
	nextUpdate int
	nextCB     int64
	closed     chan struct{}
	closeOnce  sync.Once
	wg         sync.WaitGroup
}

// Call is one Bot API request the emulator received, with the HTTP status
// it answered (0 when the connection was dropped).
type Call struct {
	Method string // as requested (methods are case-insensitive)
	Params map[string]string
	At     time.Time
	Status int
}

// Start listens on addr (e.g. "127.0.0.1:0") and serves the Bot API until
// Close. It fails only when it cannot listen.
func Start(addr string, o Options) (*Server, error) {
	if o.Token == "" {
		o.Token = DefaultToken
	}
	if o.BotUsername == "" {
		o.BotUsername = "cornershop_bot"
	}
	if o.BotName == "" {
		o.BotName = "Cornershop"
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
		o: o, ln: ln, bot: User{ID: botID, IsBot: true, FirstName: o.BotName, Username: o.BotUsername},
		changed: emu.NewChanges(), users: map[int64]User{}, chats: map[int64]*chat{}, files: map[string]File{},
		paths: map[string]string{}, callbacks: map[string]*callbackQuery{}, nextID: 1000, nextUpdate: 730000000,
		nextCB: 4611686018427387000, closed: make(chan struct{}), limits: newLimiter(),
	}
	s.users[s.bot.ID] = s.bot
	s.srv = &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 5 * time.Second}
	s.wg.Go(func() { _ = s.srv.Serve(ln) })
	return s, nil
}

// URL is the emulator's base URL, e.g. http://127.0.0.1:PORT; the Bot API
// is under URL()+"/bot<token>/<method>", files under
// URL()+"/file/bot<token>/<file_path>".
func (s *Server) URL() string { return "http://" + s.ln.Addr().String() }

// APIEndpoint is the format string for tgbotapi.NewBotAPIWithAPIEndpoint:
// URL()+"/bot%s/%s".
func (s *Server) APIEndpoint() string { return s.URL() + "/bot%s/%s" }

// FileEndpoint is the format string matching tgbotapi.FileEndpoint:
// URL()+"/file/bot%s/%s".
func (s *Server) FileEndpoint() string { return s.URL() + "/file/bot%s/%s" }

// Token is the bot token the emulator accepts.
func (s *Server) Token() string { return s.o.Token }

// Close stops the server, ends long polls and stops webhook pushes. It
// waits up to two seconds for requests in flight; later calls do nothing.
func (s *Server) Close() error {
	first := false
	s.closeOnce.Do(func() { first = true })
	if !first {
		return nil
	}
	close(s.closed)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	err := s.srv.Shutdown(ctx)
	s.wg.Wait()
	if err != nil {
		return fmt.Errorf("telegramfake: close: %w", err)
	}
	return nil
}

// Handler serves the Bot API (/bot<token>/<method>, GET or POST with a
// query, form, JSON or multipart body) and file downloads
// (/file/bot<token>/<file_path>). Start serves it; tests may mount it
// elsewhere. The user-side API (UserAPI) is under /emulator/.
func (s *Server) Handler() http.Handler {
	return emu.WithUserAPI(http.HandlerFunc(s.serve), s.UserAPI())
}

// isClosed reports whether Close was called.
func (s *Server) isClosed() bool {
	select {
	case <-s.closed:
		return true
	default:
		return false
	}
}

// notifyLocked wakes long polls, webhook pushes and waiters; s.mu is held.
func (s *Server) notifyLocked() { s.changed.Notify() }

// WaitFor blocks until cond (called with no lock held) is true or ctx
// ends, re-checking on every change to the emulator's state. It returns
// ctx.Err() on timeout.
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

// apiError is a Bot API error answer.
type apiError struct {
	code       int
	desc       string
	retryAfter int
}

func (e *apiError) Error() string { return e.desc }

func badRequest(format string, args ...any) *apiError {
	return &apiError{code: http.StatusBadRequest, desc: "Bad Request: " + fmt.Sprintf(format, args...)}
}

func forbidden(desc string) *apiError {
	return &apiError{code: http.StatusForbidden, desc: "Forbidden: " + desc}
}

func tooMany(secs int) *apiError {
	return &apiError{code: http.StatusTooManyRequests, desc: fmt.Sprintf("Too Many Requests: retry after %d", secs), retryAfter: secs}
}

func notFound() *apiError { return &apiError{code: http.StatusNotFound, desc: "Not Found"} }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, e *apiError) {
	body := map[string]any{"ok": false, "error_code": e.code, "description": e.desc}
	if e.retryAfter > 0 {
		body["parameters"] = map[string]any{"retry_after": e.retryAfter}
	}
	writeJSON(w, e.code, body)
}

// params reads a request's parameters from the query and a form, JSON or
// multipart body, as the Bot API accepts all of them. JSON values that are
// not strings are kept as their JSON text.
func params(r *http.Request) (map[string]string, map[string]*multipart.FileHeader, error) {
	p := map[string]string{}
	for k, v := range r.URL.Query() {
		p[k] = v[0]
	}
	ct := r.Header.Get("Content-Type")
	switch {
	case strings.HasPrefix(ct, "multipart/form-data"):
		if err := r.ParseMultipartForm(64 << 20); err != nil {
			return nil, nil, fmt.Errorf("multipart body: %w", err)
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
		dec := json.NewDecoder(io.LimitReader(r.Body, 16<<20))
		dec.UseNumber()
		if err := dec.Decode(&body); err != nil && !errors.Is(err, io.EOF) {
			return nil, nil, fmt.Errorf("json body: %w", err)
		}
		for k, v := range body {
			switch v := v.(type) {
			case string:
				p[k] = v
			case json.Number:
				p[k] = v.String()
			default:
				b, _ := json.Marshal(v)
				p[k] = string(b)
			}
		}
	default:
		if err := r.ParseForm(); err != nil {
			return nil, nil, fmt.Errorf("form body: %w", err)
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
	if !ok || !ok2 || token == "" {
		writeError(w, notFound())
		return
	}
	if token != s.o.Token {
		writeError(w, &apiError{code: http.StatusUnauthorized, desc: "Unauthorized"})
		return
	}
	p, files, err := params(r)
	if err != nil {
		writeError(w, badRequest("invalid request body"))
		return
	}
	s.o.Logger.Debug("telegramfake: request", "method", method)
	call := Call{Method: method, Params: p}
	f := s.takeFault(method, p)
	var fate emu.Fate
	if !strings.EqualFold(method, "getUpdates") { // long polls suffer DropPolls instead
		fate = s.chaos.Load().Roll(method)
		f.delay += fate.Delay
	}
	if f.delay > 0 {
		select {
		case <-time.After(f.delay):
		case <-r.Context().Done():
			return
		case <-s.closed:
		}
	}
	if f.drop {
		s.record(call, 0)
		dropConn(w)
		return
	}
	if f.err != nil {
		s.record(call, f.err.code)
		writeError(w, f.err)
		return
	}
	if strings.EqualFold(method, "getUpdates") {
		s.getUpdates(w, r, call)
		return
	}
	s.mu.Lock()
	call.At = s.o.Now()
	var result any
	e := s.limitLocked(method, p)
	if e == nil && fate.Status != 0 {
		e = s.chaosLocked(method, p, fate)
	}
	if e == nil {
		result, e = s.dispatchLocked(method, p, files)
	}
	call.Status = http.StatusOK
	if e != nil {
		call.Status = e.code
	}
	s.calls = append(s.calls, call)
	s.observeLocked(call)
	s.notifyLocked()
	s.mu.Unlock()
	if e != nil {
		writeError(w, e)
		return
	}
	writeJSON(w, http.StatusOK, result)
}

// record logs a call that ended before reaching its method.
func (s *Server) record(c Call, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c.At, c.Status = s.o.Now(), status
	s.calls = append(s.calls, c)
	s.observeLocked(c)
	s.notifyLocked()
}

// observeLocked hands a finished call to Options.Observe; s.mu is held.
func (s *Server) observeLocked(c Call) {
	if s.o.Observe != nil {
		s.o.Observe(c)
	}
}

// dropConn closes the client's connection without an answer.
func dropConn(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

// ok wraps a method's result in the Bot API's success envelope.
func ok(result any) map[string]any { return map[string]any{"ok": true, "result": result} }

// dispatchLocked runs one Bot API method (names are case-insensitive, as
// on Telegram) and returns the whole answer body; s.mu is held.
func (s *Server) dispatchLocked(method string, p map[string]string, files map[string]*multipart.FileHeader) (any, *apiError) {
	var (
		res any
		e   *apiError
	)
	switch strings.ToLower(method) {
	case "getme":
		res = map[string]any{"id": s.bot.ID, "is_bot": true, "first_name": s.bot.FirstName, "username": s.bot.Username,
			"can_join_groups": true, "can_read_all_group_messages": s.o.ReadAllGroupMessages, "supports_inline_queries": false,
			"can_connect_to_business": false, "has_main_web_app": false}
	case "setwebhook":
		return s.setWebhook(p)
	case "deletewebhook":
		return s.deleteWebhook(p)
	case "getwebhookinfo":
		res = s.webhookInfo()
	case "setmycommands":
		res, e = s.setMyCommands(p)
	case "getmycommands":
		res = s.commands
		if res == nil {
			res = []any{}
		}
	case "deletemycommands":
		s.commands, res = nil, true
	case "sendmessage":
		res, e = s.sendMessage(p)
	case "sendphoto":
		res, e = s.sendFile("photo", p, files)
	case "senddocument":
		res, e = s.sendFile("document", p, files)
	case "sendvoice":
		res, e = s.sendFile("voice", p, files)
	case "editmessagetext":
		res, e = s.editMessageText(p, false)
	case "editmessagecaption":
		res, e = s.editMessageText(p, true)
	case "editmessagereplymarkup":
		res, e = s.editReplyMarkup(p)
	case "deletemessage":
		res, e = s.deleteMessage(p)
	case "getfile":
		res, e = s.getFile(p)
	case "createforumtopic", "editforumtopic", "closeforumtopic", "reopenforumtopic", "deleteforumtopic":
		res, e = s.forumTopic(strings.ToLower(method), p)
	case "answercallbackquery":
		res, e = s.answerCallback(p)
	case "setmessagereaction":
		res, e = s.setReaction(p)
	case "getchat":
		res, e = s.getChat(p)
	case "getchatmember":
		res, e = s.getChatMember(p)
	case "getchatadministrators":
		res, e = s.getChatAdministrators(p)
	case "getchatmembercount":
		var c *chat
		if c, e = s.chatFor(p); e == nil {
			res = len(c.members)
		}
	default:
		return nil, notFound()
	}
	if e != nil {
		return nil, e
	}
	return ok(res), nil
}

func atoi64(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}
