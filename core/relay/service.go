package relay

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"cornershop/core"
	"cornershop/core/hours"
)

// Desk is a staff desk: a channel (Slack, Discord) or forum group
// (Telegram) where each conversation gets a thread.
type Desk struct {
	Name  string
	Place core.Place // platform and channel; Thread empty
	// StaffFromMembership makes members of the desk staff, with the profile
	// the platform reports, unless the directory names them.
	StaffFromMembership bool
	// NoteMode makes plain messages internal notes; "!reply" sends.
	NoteMode bool
	// Hours are the desk's business hours (zero: always open). Outside
	// them a new conversation gets one away message saying when the team
	// is back; SLA clocks count only business time.
	Hours hours.Schedule
	// Acknowledge answers a new conversation inside hours, with the desk's
	// real median first response when there are enough data points.
	Acknowledge bool
	// SLA is the desk's response-time targets (zero: none).
	SLA SLA
	// Survey configures satisfaction surveys (zero: none).
	Survey Survey
}

// Route sends conversations from customer places to a desk.
type Route struct {
	Platform core.PlatformName
	Chat     string // empty: any chat of the platform
	Desk     string
}

// Config is what the relay needs to know about the deployment.
type Config struct {
	// Team is the anonymous voice: the team's name and logo.
	Team core.Voice
	// Greeting answers a customer's /start.
	Greeting string
	// ReopenWindow: a customer message this soon after a close reopens the
	// conversation; later ones start a new conversation.
	ReopenWindow  time.Duration
	NotePrefix    string
	CommandPrefix string
	Staff         []core.Staff
	Desks         []Desk
	Routes        []Route
	// UndoWindow holds each reply this long before it leaves, so staff can
	// take it back with !undo or fix it with an edit; 0 sends at once.
	UndoWindow time.Duration
	// Snippets are canned answers by name, with {contact.name},
	// {contact.first_name}, {staff.name}, {staff.first_name} and
	// {team.name} filled in when inserted.
	Snippets map[string]string
	// Ideas configures idea threads.
	Ideas Ideas
	// Answers configures self-help answers.
	Answers Answers
	// Incidents configures incidents.
	Incidents Incidents
	// BatchSize caps how many events share one transaction.
	BatchSize int
	// Commits is how many group-commit transactions may run at once [1]:
	// more suits a database that runs transactions side by side
	// (PostgreSQL); SQLite has one writer.
	Commits int
	// Wake is called after each commit that may have queued deliveries
	// (the outbox worker's Notify); nil for none.
	Wake func()
	// DeskFallback is called, with the desk's platform, each time a desk
	// copy is posted in the desk channel because no desk thread could be
	// opened (see noThread); nil for none. It must not block.
	DeskFallback func(core.PlatformName)
	// Webhooks are the endpoints told about changes; none by default.
	Webhooks Webhooks
	// Observer hears of response figures once they are committed (see
	// Observer); nil for none.
	Observer Observer
	// Privacy configures /forget and retention (docs/privacy.md).
	Privacy Privacy
	// Files is the attachment store messages' files are copied into when
	// recorded; nil keeps only the platforms' handles.
	Files core.Files
	// FileSizeLimit caps a file copied into Files [50 MB].
	FileSizeLimit int64
	// PublicURL is the base URL the public HTTP port is reached at, for
	// one-time export download links ("" for none).
	PublicURL string
	// Listening configures listening places and rules; none by default.
	Listening Listening
}

// Service records platform events and composes deliveries. It implements
// core.Inbox and core.ActionInbox.
type Service struct {
	store core.Store
	// scrubber is the store's own Scrub, taken before the wrappers
	// (observedStore, eventStore) hide it; nil when it has none.
	scrubber  scrubber
	cfg       Config
	platforms map[core.PlatformName]core.Platform
	staff     directory
	now       func() time.Time
	log       *slog.Logger
	commit    *committer
	// pruned is when (Unix ns) forgetting old handled requests was last
	// tried (see markHandled).
	pruned atomic.Int64
}

var (
	_ core.Inbox       = (*Service)(nil)
	_ core.ActionInbox = (*Service)(nil)
	_ core.Backlog     = (*Service)(nil)
)

// New returns a Service over store. Without desks it still records what
// customers write, but has nowhere to show it. platforms are the running adapters,
// used to deliver and to look up desk members; now is the clock.
func New(store core.Store, cfg Config, platforms []core.Platform, now func() time.Time, log *slog.Logger) (*Service, error) {
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = 128
	}
	if cfg.NotePrefix == "" {
		cfg.NotePrefix = "//"
	}
	if cfg.CommandPrefix == "" {
		cfg.CommandPrefix = "!"
	}
	if now == nil {
		now = time.Now
	}
	cfg.Ideas = cfg.Ideas.withDefaults()
	cfg.Answers = cfg.Answers.withDefaults()
	cfg.Listening = cfg.Listening.withDefaults()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	sc, _ := store.(scrubber)
	if cfg.Observer != nil {
		store = observedStore{Store: store, obs: cfg.Observer, desk: deskNamer(cfg.Desks)}
	}
	if len(cfg.Webhooks.Endpoints) > 0 {
		if cfg.Webhooks.Sender == nil {
			return nil, fmt.Errorf("relay: webhook endpoints without a sender: %w", core.ErrInvalid)
		}
		for i, e := range cfg.Webhooks.Endpoints {
			cfg.Webhooks.Endpoints[i] = e.withDefaults()
		}
		store = eventStore{Store: store, rec: &recorder{endpoints: cfg.Webhooks.Endpoints, now: now}}
	}
	ps := make(map[core.PlatformName]core.Platform, len(platforms))
	for _, p := range platforms {
		ps[p.Name()] = p
	}
	s := &Service{
		store:     store,
		scrubber:  sc,
		cfg:       cfg,
		platforms: ps,
		staff:     newDirectory(cfg.Staff),
		now:       now,
		log:       log,
		commit:    &committer{store: store, max: cfg.BatchSize, lanes: cfg.Commits, wake: cfg.Wake},
	}
	if err := s.checkListening(); err != nil {
		return nil, err
	}
	return s, nil
}

// InTx runs fn in a transaction shared with concurrent callers (the
// relay's group commit) and returns, once the transaction holding fn has
// committed, fn's error. When a shared transaction fails, each of its
// callers runs again alone, so fn may run twice (the first run rolled
// back) and must touch nothing outside tx. The outbox records delivery
// outcomes through it; its commit does not call Config.Wake (the outbox
// notices its own outcomes). fn must not call the Service.
func (s *Service) InTx(ctx context.Context, fn func(tx core.Tx) error) error {
	return s.commit.quiet(ctx, fn)
}

// deskAt returns the desk whose channel is place's channel.
func (s *Service) deskAt(place core.Place) (Desk, bool) {
	for _, d := range s.cfg.Desks {
		if d.Place.Platform == place.Platform && d.Place.Chat == place.Chat {
			return d, true
		}
	}
	return Desk{}, false
}

// deskFor routes a customer place to its desk.
func (s *Service) deskFor(place core.Place) Desk {
	for _, r := range s.cfg.Routes {
		if r.Platform != place.Platform || (r.Chat != "" && r.Chat != place.Chat) {
			continue
		}
		for _, d := range s.cfg.Desks {
			if d.Name == r.Desk {
				return d
			}
		}
	}
	if len(s.cfg.Desks) == 0 {
		return Desk{}
	}
	return s.cfg.Desks[0]
}

// Handle implements core.Inbox.
func (s *Service) Handle(ctx context.Context, e core.Event) error {
	e = clean(e)
	if err := validate(e); err != nil {
		return err
	}
	if s.listeningOnly(e) {
		return nil
	}
	switch e := e.(type) {
	case core.MessageEvent:
		e = s.keepFiles(ctx, e)
		if desk, ok := s.deskAt(e.Place); ok {
			return s.deskMessage(ctx, desk, e)
		}
		if board, ok := s.boardAt(e.Place); ok {
			return s.commit.do(ctx, func(tx core.Tx) error { return s.boardMessage(tx, board, e) })
		}
		if lp, ok := s.listeningAt(e.Place); ok {
			return s.listenMessage(ctx, lp, e)
		}
		key := core.InboundKey{Place: e.Place, ID: e.ID, UserID: e.Sender.UserID}
		return s.commit.doJob(ctx, &job{fn: func(tx core.Tx) error { return s.customerMessage(tx, e) }, wake: true, key: &key})
	case core.EditEvent:
		return s.commit.do(ctx, func(tx core.Tx) error { return s.edit(tx, e) })
	case core.DeleteEvent:
		return s.commit.do(ctx, func(tx core.Tx) error { return s.remove(tx, e) })
	case core.ReactionEvent:
		return s.commit.do(ctx, func(tx core.Tx) error { return s.react(tx, e) })
	case core.ActionEvent:
		_, err := s.Act(ctx, e)
		return err
	}
	return fmt.Errorf("relay: event %T: %w", e, core.ErrInvalid)
}

func validate(e core.Event) error {
	p := e.Where()
	if !p.Platform.Valid() || p.Chat == "" {
		return fmt.Errorf("relay: event %T at %q: %w", e, p.String(), core.ErrInvalid)
	}
	var id string
	switch e := e.(type) {
	case core.MessageEvent:
		id = e.ID
		if e.Sender.UserID == "" {
			return fmt.Errorf("relay: message without sender: %w", core.ErrInvalid)
		}
	case core.EditEvent:
		id = e.ID
	case core.DeleteEvent:
		id = e.ID
	case core.ReactionEvent:
		id = e.ID
	case core.ActionEvent:
		id = "-"
	}
	if id == "" {
		return fmt.Errorf("relay: event %T without a platform id: %w", e, core.ErrInvalid)
	}
	return nil
}

// seen reports whether a platform message is already recorded (a repeat of
// the same event, or an echo of something we posted).
func seen(tx core.Tx, p core.Place, id string) (bool, error) {
	_, err := tx.RefByPlatformID(p.Platform, p.Chat, id)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, core.ErrNotFound):
		return false, nil
	}
	return false, err
}

// enqueue adds a delivery due now with a key derived from its content.
func (s *Service) enqueue(tx core.Tx, d core.Delivery) error {
	d.NextAttemptAt = time.Time{}
	return s.enqueueAt(tx, d)
}

// enqueueAt adds a delivery due at d.NextAttemptAt (now when zero).
func (s *Service) enqueueAt(tx core.Tx, d core.Delivery) error {
	d.State = core.DeliveryPending
	d.CreatedAt = s.now()
	if d.NextAttemptAt.IsZero() {
		d.NextAttemptAt = d.CreatedAt
	}
	if d.Key == "" {
		d.Key = fmt.Sprintf("%s:%s:%d:%d:%d", d.Op, d.Side, d.ConversationID, d.MessageID, d.CreatedAt.UnixNano())
	}
	if err := tx.Enqueue(&d); err != nil && !errors.Is(err, core.ErrDuplicate) {
		return fmt.Errorf("enqueue %s: %w", d.Op, err)
	}
	return nil
}

// systemNote records a message by cornershop in the desk thread and queues
// it for the desk.
func (s *Service) systemNote(tx core.Tx, conv core.Conversation, text string) error {
	m := core.Message{ConversationID: conv.ID, Direction: core.System, Author: "system", Text: text, CreatedAt: s.now()}
	if err := tx.CreateMessage(&m); err != nil {
		return fmt.Errorf("record system note: %w", err)
	}
	return s.enqueue(tx, core.Delivery{
		Key: fmt.Sprintf("send:desk:%d", m.ID), ConversationID: conv.ID, MessageID: m.ID,
		Op: core.OpSend, Side: core.DeskSide, Platform: conv.Desk.Platform,
	})
}

func (s *Service) cardUpdate(tx core.Tx, conv core.Conversation) error {
	return s.enqueue(tx, core.Delivery{ConversationID: conv.ID, Op: core.OpUpdateCard, Side: core.DeskSide, Platform: conv.Desk.Platform})
}

// hasPrefixFold reports whether text starts with prefix, ignoring case, and
// returns the rest trimmed.
func cutPrefix(text, prefix string) (string, bool) {
	if prefix == "" || len(text) < len(prefix) || !strings.EqualFold(text[:len(prefix)], prefix) {
		return text, false
	}
	return strings.TrimSpace(text[len(prefix):]), true
}

// Cursors implements core.Backlog.
func (s *Service) Cursors(ctx context.Context, platform core.PlatformName, since time.Time) ([]core.Cursor, error) {
	var out []core.Cursor
	err := s.store.InTx(ctx, func(tx core.Tx) error {
		var err error
		out, err = tx.Cursors(platform, since)
		return err
	})
	return out, err
}
