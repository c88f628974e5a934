package relay_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"cornershop/bots/bottest"
	"cornershop/core"
	"cornershop/core/outbox"
	"cornershop/core/relay"
	"cornershop/core/store"
)

// clock is a fake clock tests move by hand.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

// env is the real relay and outbox over a SQLite store, with a Slack-like
// desk and a Telegram-like customer side kept in memory, and a fake clock.
type env struct {
	t      *testing.T
	clock  *clock
	store  *store.Store
	svc    *relay.Service
	worker *outbox.Worker
	desk   *bottest.Memory
	cust   *bottest.Memory
	n      int
	// logs holds what the relay logged, at every level.
	logs *logBuffer
}

// logBuffer is a bytes.Buffer safe for concurrent writers.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}
func (b *logBuffer) String() string { b.mu.Lock(); defer b.mu.Unlock(); return b.buf.String() }

var (
	deskChannel = core.Place{Platform: core.Slack, Chat: "C-DESK"}
	customerDM  = core.Place{Platform: core.Telegram, Chat: "100"}
	alice       = core.Staff{ID: "alice", Voice: core.Voice{Name: "Alice Martin", Title: "Support", AvatarURL: "https://example.com/a.png"},
		Roles: []core.Role{core.RoleAgent}, Identities: map[core.PlatformName]string{core.Slack: "U-ALICE"}}
	bob = core.Staff{ID: "bob", Voice: core.Voice{Name: "Bob Stone", Title: "Community"},
		Roles: []core.Role{core.RoleModerator}, Identities: map[core.PlatformName]string{core.Slack: "U-BOB"}}
)

func newEnv(t *testing.T, opts ...func(*relay.Config)) *env {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, store.Options{Driver: "sqlite", DSN: filepath.Join(t.TempDir(), "relay.db"), AutoMigrate: true})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return newEnvOn(t, st, opts...)
}

// newEnvOn is newEnv over a given store.
func newEnvOn(t *testing.T, st *store.Store, opts ...func(*relay.Config)) *env {
	t.Helper()
	var err error
	e := &env{t: t, clock: &clock{now: time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)}, store: st,
		desk: bottest.NewMemory(core.Slack, deskChannel.Chat), cust: bottest.NewMemory(core.Telegram, "-"), logs: &logBuffer{}}
	cfg := relay.Config{
		Team: core.Voice{Name: "Acme", Team: true}, Greeting: "Hello from Acme!",
		ReopenWindow: 24 * time.Hour, NotePrefix: "//", CommandPrefix: "!",
		Staff: []core.Staff{alice, bob},
		Desks: []relay.Desk{{Name: "main", Place: deskChannel}},
	}
	for _, o := range opts {
		o(&cfg)
	}
	log := slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e.svc, err = relay.New(st, cfg, []core.Platform{e.desk, e.cust}, e.clock.Now, log)
	if err != nil {
		t.Fatal(err)
	}
	e.worker = outbox.New(st, e.svc, outbox.Options{Now: e.clock.Now, Jitter: func(d time.Duration) time.Duration { return d }, MaxAttempts: 3})
	return e
}

func (e *env) id() string { e.n++; return fmt.Sprintf("%d", e.n) }

func (e *env) handle(ev core.Event) {
	e.t.Helper()
	if err := e.svc.Handle(context.Background(), ev); err != nil {
		e.t.Fatalf("handle %T: %v", ev, err)
	}
}

// customer writes text in the customer's DM and returns the message id.
func (e *env) customer(text string) string {
	e.t.Helper()
	id := e.id()
	e.handle(core.MessageEvent{Place: customerDM, ID: id, Sender: core.Sender{UserID: "u1", Name: "Carla"}, Text: text, Direct: true})
	return id
}

// staff writes text in a desk thread as user.
func (e *env) staff(thread core.Place, user, text string) string {
	e.t.Helper()
	id := e.id()
	e.handle(core.MessageEvent{Place: thread, ID: id, Sender: core.Sender{UserID: user, Name: user}, Text: text})
	return id
}

// drain performs every delivery due now.
func (e *env) drain() {
	e.t.Helper()
	e.drainWithin(50)
}

// drainWithin is drain in at most runs runs of the outbox (one delivery of
// each lane a run).
func (e *env) drainWithin(runs int) {
	e.t.Helper()
	for range runs {
		n, err := e.worker.RunOnce(context.Background())
		if err != nil {
			e.t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
	e.t.Fatal("outbox did not drain")
}

func (e *env) conversation() core.Conversation {
	e.t.Helper()
	var conv core.Conversation
	err := e.store.InTx(context.Background(), func(tx core.Tx) error {
		c, err := tx.ContactByIdentity(core.Telegram, "u1")
		if err != nil {
			return err
		}
		conv, err = tx.LatestConversation(c.ID, customerDM)
		return err
	})
	if err != nil {
		e.t.Fatalf("conversation: %v", err)
	}
	return conv
}

func texts(ps []bottest.Post) []string {
	var out []string
	for _, p := range ps {
		if !p.Deleted {
			out = append(out, p.Text)
		}
	}
	return out
}

func TestNewConversationOpensDeskThreadWithCard(t *testing.T) {
	e := newEnv(t)
	e.customer("Where is my order?")
	e.drain()
	conv := e.conversation()
	if conv.Status != core.StatusOpen || conv.Desk.Thread == "" {
		t.Fatalf("conversation = %+v, want open with a desk thread", conv)
	}
	posts := e.desk.Posts(conv.Desk)
	if len(posts) != 2 || posts[0].Card == nil || posts[0].Card.Name != "Carla" {
		t.Fatalf("desk thread = %+v, want the contact card then the message", posts)
	}
	if posts[1].Text != "Where is my order?" || posts[1].Author != "Carla" || posts[1].Kind != core.KindCustomerCopy {
		t.Errorf("desk copy = %+v", posts[1])
	}
}

func TestFollowUpStaysInConversation(t *testing.T) {
	e := newEnv(t)
	e.customer("one")
	e.drain()
	first := e.conversation()
	e.customer("two")
	e.drain()
	if got := e.conversation(); got.ID != first.ID {
		t.Fatalf("follow-up started conversation %d, want %d", got.ID, first.ID)
	}
	if got := texts(e.desk.Posts(first.Desk)); len(got) != 3 || got[2] != "two" {
		t.Errorf("desk thread = %q", got)
	}
}

func TestSameEventTwiceRecordedOnce(t *testing.T) {
	e := newEnv(t)
	ev := core.MessageEvent{Place: customerDM, ID: "42", Sender: core.Sender{UserID: "u1", Name: "Carla"}, Text: "hello"}
	e.handle(ev)
	e.handle(ev)
	e.drain()
	if got := texts(e.desk.Posts(e.conversation().Desk)); len(got) != 2 {
		t.Errorf("desk thread = %q, want card and one copy", got)
	}
}

func TestDeskMessages(t *testing.T) {
	tests := []struct {
		name         string
		user, text   string
		wantCustomer []string // texts the customer sees
		wantDesk     string   // a text expected among the desk posts ("" for none)
		wantVoice    string
	}{
		{name: "reply in voice", user: "U-ALICE", text: "Your parcel left today.", wantCustomer: []string{"Your parcel left today."}, wantVoice: "Alice Martin"},
		{name: "note stays internal", user: "U-ALICE", text: "// VIP customer"},
		{name: "note command stays internal", user: "U-ALICE", text: "!note check the warehouse"},
		{name: "reply as team", user: "U-ALICE", text: "!team We are on it.", wantCustomer: []string{"We are on it."}, wantVoice: "Acme"},
		{name: "non-staff not delivered", user: "U-MALLORY", text: "free refunds for all", wantDesk: "not on the staff list"},
		{name: "unknown command answered", user: "U-ALICE", text: "!frobnicate", wantDesk: "Unknown command"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.customer("hi")
			e.drain()
			conv := e.conversation()
			e.staff(conv.Desk, tc.user, tc.text)
			e.drain()
			got := e.cust.Posts(conv.Customer)
			if len(got) != len(tc.wantCustomer) {
				t.Fatalf("customer sees %q, want %q", texts(got), tc.wantCustomer)
			}
			for i, p := range got {
				if p.Text != tc.wantCustomer[i] || p.Voice.Name != tc.wantVoice {
					t.Errorf("customer post %d = %q in voice %q, want %q in voice %q", i, p.Text, p.Voice.Name, tc.wantCustomer[i], tc.wantVoice)
				}
			}
			if tc.wantDesk != "" && !strings.Contains(strings.Join(texts(e.desk.Posts(conv.Desk)), "\n"), tc.wantDesk) {
				t.Errorf("desk thread %q lacks %q", texts(e.desk.Posts(conv.Desk)), tc.wantDesk)
			}
		})
	}
}

func TestReopenWindow(t *testing.T) {
	tests := []struct {
		name    string
		after   time.Duration
		wantNew bool
	}{
		{"within the window reopens", 23 * time.Hour, false},
		{"after the window starts anew", 25 * time.Hour, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.customer("first")
			e.drain()
			first := e.conversation()
			e.staff(first.Desk, "U-ALICE", "!close")
			e.drain()
			if c := e.conversation(); c.Status != core.StatusClosed {
				t.Fatalf("after !close status = %s", c.Status)
			}
			e.clock.Add(tc.after)
			e.customer("again")
			e.drain()
			got := e.conversation()
			if (got.ID != first.ID) != tc.wantNew {
				t.Fatalf("conversation %d after %s (first %d), want new=%v", got.ID, tc.after, first.ID, tc.wantNew)
			}
			if got.Status != core.StatusOpen {
				t.Errorf("status = %s, want open", got.Status)
			}
		})
	}
}

func TestEchoOfOwnPostIgnored(t *testing.T) {
	e := newEnv(t)
	e.customer("hi")
	e.drain()
	conv := e.conversation()
	copyPost := e.desk.Posts(conv.Desk)[1]
	// The platform echoes our own post back as if someone wrote it.
	e.handle(core.MessageEvent{Place: conv.Desk, ID: copyPost.ID, Sender: core.Sender{UserID: "U-ALICE"}, Text: copyPost.Text})
	e.drain()
	if got := e.cust.Posts(conv.Customer); len(got) != 0 {
		t.Fatalf("echo was relayed to the customer: %q", texts(got))
	}
}

func TestEditAndDeleteMirrored(t *testing.T) {
	e := newEnv(t)
	msg := e.customer("my adress is 1 Main St")
	e.drain()
	conv := e.conversation()
	e.handle(core.EditEvent{Place: customerDM, ID: msg, Text: "my address is 1 Main St"})
	e.drain()
	if got := e.desk.Posts(conv.Desk)[1]; got.Text != "my address is 1 Main St" || !got.Edited {
		t.Errorf("desk copy after edit = %+v", got)
	}
	reply := e.staff(conv.Desk, "U-ALICE", "Thanks!")
	e.drain()
	e.handle(core.DeleteEvent{Place: conv.Desk, ID: reply})
	e.drain()
	if got := texts(e.cust.Posts(conv.Customer)); len(got) != 0 {
		t.Errorf("customer still sees %q after the reply was deleted", got)
	}
}

func TestRetryAfterHonouredToTheMillisecond(t *testing.T) {
	e := newEnv(t)
	e.customer("hi")
	e.drain()
	conv := e.conversation()
	e.cust.RateLimitNext(1234 * time.Millisecond)
	e.staff(conv.Desk, "U-ALICE", "answer")
	e.drain()
	if got := e.cust.Posts(conv.Customer); len(got) != 0 {
		t.Fatalf("delivered despite the rate limit: %q", texts(got))
	}
	e.clock.Add(1233 * time.Millisecond)
	e.drain()
	if got := e.cust.Posts(conv.Customer); len(got) != 0 {
		t.Fatalf("delivered 1ms before the platform allowed it")
	}
	e.clock.Add(time.Millisecond)
	e.drain()
	if got := texts(e.cust.Posts(conv.Customer)); len(got) != 1 || got[0] != "answer" {
		t.Fatalf("customer sees %q at exactly retry-after, want the answer", got)
	}
}

func TestPermanentFailureVisibleInDesk(t *testing.T) {
	e := newEnv(t)
	e.customer("hi")
	e.drain()
	conv := e.conversation()
	e.cust.FailNext(core.Permanent(errors.New("the customer blocked the bot")))
	e.staff(conv.Desk, "U-ALICE", "hello?")
	e.drain()
	desk := strings.Join(texts(e.desk.Posts(conv.Desk)), "\n")
	if !strings.Contains(desk, "Not delivered") || !strings.Contains(desk, "blocked the bot") {
		t.Fatalf("desk thread lacks the failure note: %q", desk)
	}
}

func TestTransientFailureRetriedWithBackoff(t *testing.T) {
	e := newEnv(t)
	e.customer("hi")
	e.drain()
	conv := e.conversation()
	e.cust.FailNext(core.Transient(errors.New("502 bad gateway")))
	e.staff(conv.Desk, "U-ALICE", "still there?")
	e.drain()
	if len(e.cust.Posts(conv.Customer)) != 0 {
		t.Fatal("delivered although the attempt failed")
	}
	e.clock.Add(time.Second) // the first backoff, jitter disabled
	e.drain()
	if got := texts(e.cust.Posts(conv.Customer)); len(got) != 1 {
		t.Fatalf("customer sees %q after the backoff, want the reply once", got)
	}
}

func TestCustomerStartGetsGreeting(t *testing.T) {
	e := newEnv(t)
	res, err := e.svc.Act(context.Background(), core.ActionEvent{Place: customerDM, Sender: core.Sender{UserID: "u1"}, Name: "start"})
	if err != nil || res.Text != "Hello from Acme!" {
		t.Fatalf("Act(start) = %q, %v", res.Text, err)
	}
}

func TestInvalidEventsRejected(t *testing.T) {
	e := newEnv(t)
	for _, ev := range []core.Event{
		core.MessageEvent{Place: customerDM, Sender: core.Sender{UserID: "u1"}, Text: "no id"},
		core.MessageEvent{Place: core.Place{Platform: "myspace", Chat: "1"}, ID: "1", Sender: core.Sender{UserID: "u1"}},
		core.MessageEvent{Place: customerDM, ID: "9"},
	} {
		if err := e.svc.Handle(context.Background(), ev); !errors.Is(err, core.ErrInvalid) {
			t.Errorf("Handle(%+v) = %v, want ErrInvalid", ev, err)
		}
	}
}

func TestSentReceiptOnStaffMessage(t *testing.T) {
	e := newEnv(t)
	e.customer("hi")
	e.drain()
	conv := e.conversation()
	e.staff(conv.Desk, "U-ALICE", "Hello Carla")
	e.drain()
	// The staff message is the platform's own; the memory desk records
	// reactions only on posts it made, so look at the outbox instead.
	var receipts int
	e.inTx(func(tx core.Tx) error {
		ms, err := tx.Messages(conv.ID)
		for _, m := range ms {
			ds, _ := tx.Deliveries(m.ID)
			for _, d := range ds {
				if d.Op == core.OpReact && d.Emoji == relay.SentEmoji && d.Side == core.DeskSide {
					receipts++
				}
			}
		}
		return err
	})
	if receipts != 1 {
		t.Errorf("%d sent receipts queued, want 1", receipts)
	}
}

// TestCustomerTextIsNeverACommand: a customer writing a desk command or a
// note prefix only sends text to the desk.
func TestCustomerTextIsNeverACommand(t *testing.T) {
	e := newEnv(t)
	for _, text := range []string{"!close", "// secret", "!block", "!snippet add x y"} {
		e.customer(text)
	}
	e.drain()
	conv := e.conversation()
	if conv.Status != core.StatusOpen {
		t.Errorf("a customer's %q changed the conversation to %s", "!close", conv.Status)
	}
	desk := strings.Join(texts(e.desk.Posts(conv.Desk)), "\n")
	for _, want := range []string{"!close", "// secret", "!block"} {
		if !strings.Contains(desk, want) {
			t.Errorf("desk lacks the customer's text %q: %q", want, desk)
		}
	}
}
