package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"cornershop/api"
	"cornershop/bots/bottest"
	"cornershop/bots/telegram"
	"cornershop/bots/telegram/telegramfake"
	"cornershop/core"
	"cornershop/core/outbox"
	"cornershop/core/relay"
	"cornershop/core/store"
)

const wait = 20 * time.Second

// Token secrets of the harness: one per scope.
const (
	readSecret  = "read-0123456789abcdef0123456789abcdef"
	writeSecret = "write-0123456789abcdef0123456789abcdef"
	adminSecret = "admin-0123456789abcdef0123456789abcdef"
)

// harness is the real service (relay, outbox, store) with the real
// Telegram adapter against telegramfake, and the API over HTTP, called
// through a client that validates every exchange against the OpenAPI
// document.
type harness struct {
	t        *testing.T
	fake     *telegramfake.Server
	customer telegramfake.User
	staff    telegramfake.User
	desk     telegramfake.Chat
	stack    *bottest.Stack
	srv      *httptest.Server
	client   *http.Client
	logs     *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func id(n int64) string { return strconv.FormatInt(n, 10) }

// databases runs fn on SQLite and on PostgreSQL.
func databases(t *testing.T, fn func(t *testing.T, db string)) {
	for _, db := range []string{"sqlite", "postgres"} {
		t.Run(db, func(t *testing.T) { fn(t, db) })
	}
}

func newHarness(t *testing.T, db string) *harness {
	t.Helper()
	fake, err := telegramfake.Start("127.0.0.1:0", telegramfake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fake.Close() })
	h := &harness{t: t, fake: fake, logs: &syncBuffer{}}
	h.customer, h.staff, h.desk = fake.SeedDemo()
	bot, err := telegram.New(telegram.Options{Token: fake.Token(), APIURL: fake.URL(), PollTimeout: time.Second, DeskChats: []string{id(h.desk.ID)}})
	if err != nil {
		t.Fatal(err)
	}
	cfg := relay.Config{
		Team: core.Voice{Name: "Acme Support", Team: true}, ReopenWindow: time.Hour, NotePrefix: "//", CommandPrefix: "!",
		Desks: []relay.Desk{{Name: "desk", Place: core.Place{Platform: core.Telegram, Chat: id(h.desk.ID)}}},
		Staff: []core.Staff{
			{ID: "alice", Voice: core.Voice{Name: "Alice Martin", Title: "Support"}, Roles: []core.Role{core.RoleAgent},
				Identities: map[core.PlatformName]string{core.Telegram: id(h.staff.ID)}},
			{ID: "mo", Voice: core.Voice{Name: "Mo Derator"}, Roles: []core.Role{core.RoleModerator}},
		},
	}
	opts := outbox.Options{BaseBackoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond, Poll: 50 * time.Millisecond, MaxAttempts: 5}
	if db == "postgres" {
		h.stack = bottest.StartStore(t, bottest.OpenPostgres(t), cfg, opts, bot)
	} else {
		h.stack = bottest.StartWith(t, cfg, opts, bot)
	}
	handler, err := api.Handler(api.Options{
		Store: h.stack.Store, Records: h.stack.Store, Ideas: h.stack.Store, Operator: h.stack.Relay, Privacy: h.stack.Relay,
		Tokens: []api.Token{
			{Name: "reader", Secret: readSecret, Scopes: []api.Scope{api.ScopeRead}},
			{Name: "crm", Secret: writeSecret, Scopes: []api.Scope{api.ScopeWrite}},
			{Name: "ops", Secret: adminSecret, Scopes: []api.Scope{api.ScopeAdmin}},
		},
		Logger: slog.New(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatal(err)
	}
	h.srv = httptest.NewServer(handler)
	t.Cleanup(h.srv.Close)
	h.client = &http.Client{Transport: newValidator(t, h.srv.URL)}
	t.Cleanup(func() {
		for _, s := range []string{readSecret, writeSecret, adminSecret} {
			if strings.Contains(h.logs.String(), s) {
				t.Errorf("a token secret is in the logs")
			}
		}
	})
	return h
}

// store is the harness's store, for seeding.
func (h *harness) store() *store.Store { return h.stack.Store }

// call is one API request. body is marshalled unless it is a string
// (sent as is); invalid marks a request the test knows the OpenAPI
// document rejects (its request is not validated; its response is).
type call struct {
	method, path, token string
	body                any
	invalid             bool
}

// response is what came back.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// apiError is the error body's content.
type apiError struct {
	Code, Message, Field string
}

func (r response) err(t testing.TB) apiError {
	t.Helper()
	var e struct{ Error apiError }
	r.decode(t, &e)
	return e.Error
}

func (h *harness) do(c call) response {
	h.t.Helper()
	var body io.Reader
	switch b := c.body.(type) {
	case nil:
	case string:
		body = strings.NewReader(b)
	case []byte:
		body = bytes.NewReader(b)
	default:
		js, err := json.Marshal(b)
		if err != nil {
			h.t.Fatal(err)
		}
		body = bytes.NewReader(js)
	}
	req, err := http.NewRequest(c.method, h.srv.URL+"/api/v1"+c.path, body)
	if err != nil {
		h.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if c.invalid {
		req = req.WithContext(context.WithValue(req.Context(), invalidKey{}, true))
	}
	resp, err := h.client.Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", c.method, c.path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	for _, s := range []string{readSecret, writeSecret, adminSecret} {
		if bytes.Contains(b, []byte(s)) {
			h.t.Errorf("%s %s: a token secret is in the response", c.method, c.path)
		}
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// want fails unless the response has status, and returns it.
func (h *harness) want(status int, c call) response {
	h.t.Helper()
	r := h.do(c)
	if r.status != status {
		h.t.Fatalf("%s %s = %d %s, want %d", c.method, c.path, r.status, r.body, status)
	}
	return r
}

type invalidKey struct{}

// validator is an http.RoundTripper that validates every request and
// response against the OpenAPI document the API serves, so the document
// cannot drift from the code.
type validator struct {
	t      testing.TB
	router routers.Router
}

func newValidator(t testing.TB, base string) *validator {
	t.Helper()
	js, err := api.OpenAPIJSON()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(js)
	if err != nil {
		t.Fatalf("load the OpenAPI document: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("the OpenAPI document is not valid: %v", err)
	}
	doc.Servers = openapi3.Servers{{URL: base + "/api/v1"}}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	return &validator{t: t, router: router}
}

func (v *validator) RoundTrip(req *http.Request) (*http.Response, error) {
	var reqBody []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		reqBody = b
	}
	reset := func() { req.Body = io.NopCloser(bytes.NewReader(reqBody)) }
	reset()
	route, params, err := v.router.FindRoute(req)
	if err != nil {
		v.t.Errorf("%s %s is not in the OpenAPI document: %v", req.Method, req.URL.Path, err)
		return http.DefaultTransport.RoundTrip(req)
	}
	opts := &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, IncludeResponseStatus: true}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts}
	if invalid, _ := req.Context().Value(invalidKey{}).(bool); !invalid {
		if err := openapi3filter.ValidateRequest(req.Context(), in); err != nil {
			v.t.Errorf("request %s %s does not match the OpenAPI document: %v", req.Method, req.URL, err)
		}
	}
	reset()
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(b))
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: resp.StatusCode, Header: resp.Header, Body: io.NopCloser(bytes.NewReader(b)), Options: opts}
	if err := openapi3filter.ValidateResponse(req.Context(), out); err != nil {
		v.t.Errorf("response %d to %s %s does not match the OpenAPI document: %v\n%s", resp.StatusCode, req.Method, req.URL, err, b)
	}
	return resp, nil
}

// customerWrites has the Telegram customer write to the bot and returns
// their conversation once its desk topic is open.
func (h *harness) customerWrites(text string) core.Conversation {
	h.t.Helper()
	if _, err := h.fake.SendText(h.customer.ID, 0, h.customer, text); err != nil {
		h.t.Fatal(err)
	}
	var c core.Conversation
	bottest.Eventually(h.t, wait, "the conversation's desk topic", func() bool {
		got, ok := h.stack.Conversation(h.t, core.Telegram, id(h.customer.ID), core.Place{Platform: core.Telegram, Chat: id(h.customer.ID)})
		c = got
		return ok && c.Desk.Thread != ""
	})
	return c
}

// seedContacts creates n contacts named prefix 1…n with a Telegram
// identity each, and returns their ids.
func (h *harness) seedContacts(prefix string, n int) []int64 {
	h.t.Helper()
	var ids []int64
	err := h.store().InTx(context.Background(), func(tx core.Tx) error {
		for i := range n {
			c := core.Contact{Name: fmt.Sprintf("%s %d", prefix, i+1), Identities: []core.Identity{{Platform: core.Telegram, UserID: fmt.Sprintf("%s-%d-%d", prefix, i, time.Now().UnixNano())}}}
			if err := tx.CreateContact(&c); err != nil {
				return err
			}
			ids = append(ids, int64(c.ID))
		}
		return nil
	})
	if err != nil {
		h.t.Fatal(err)
	}
	return ids
}
