package bottest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"cornershop/core"
)

// Memory is an in-memory core.Platform with every optional ability. It
// stands for a platform in core's own tests and proves the Contract suite
// itself; real adapters run Contract over the wire instead.
type Memory struct {
	name core.PlatformName
	desk string

	mu        sync.Mutex
	inbox     core.Inbox
	ready     chan struct{}
	next      int
	posts     map[core.Place][]*Post
	rateLimit time.Duration
	// upload is the largest file Send takes (0: no limit).
	upload   int64
	failNext error
	// failThreads fails every OpenThread while set; opens counts them.
	failThreads error
	// failDeletes fails every Delete while set.
	failDeletes error
	opens       int
	sends       int
	// ideaEdits counts UpdateIdea calls.
	ideaEdits int
}

// Post is a message on the Memory platform.
type Post struct {
	ID      string
	Place   core.Place
	Author  string
	Text    string
	Voice   core.Voice
	Kind    core.Kind
	Edited  bool
	Deleted bool
	Card    *core.ContactCard
	Emoji   []string
	// Idea is the idea a card shows, as last rendered.
	Idea *core.Idea
	// Buttons are the controls under the message.
	Buttons []core.Button
	// Files are the names of the files posted with the message.
	Files []string
	// Incident is the incident card a post shows, as last rendered.
	Incident *core.IncidentCard
}

var (
	_ core.Platform      = (*Memory)(nil)
	_ core.ThreadOpener  = (*Memory)(nil)
	_ core.CardUpdater   = (*Memory)(nil)
	_ core.Editor        = (*Memory)(nil)
	_ core.Deleter       = (*Memory)(nil)
	_ core.Reactor       = (*Memory)(nil)
	_ core.IdeaBoard     = (*Memory)(nil)
	_ core.DirectOpener  = (*Memory)(nil)
	_ core.IncidentBoard = (*Memory)(nil)
)

// OpenIncident implements core.IncidentBoard.
func (m *Memory) OpenIncident(_ context.Context, desk core.Place, card core.IncidentCard) (core.Thread, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	th := desk
	th.Thread = "t" + m.newID()
	p := &Post{ID: m.newID(), Place: th, Text: card.Text(), Incident: &card}
	m.posts[th] = append(m.posts[th], p)
	return core.Thread{Place: th, CardID: p.ID}, nil
}

// UpdateIncident implements core.IncidentBoard.
func (m *Memory) UpdateIncident(_ context.Context, t core.Thread, card core.IncidentCard) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, p := range m.posts[t.Place] {
		if p.ID == t.CardID {
			p.Text, p.Incident = card.Text(), &card
			return nil
		}
	}
	return core.Permanent(fmt.Errorf("incident card %s: %w", t.CardID, core.ErrNotFound))
}

// PostIdea implements core.IdeaBoard.
func (m *Memory) PostIdea(_ context.Context, place core.Place, idea core.Idea) (core.Thread, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if place.Thread == "" && idea.SourceID != "" {
		place.Thread = idea.SourceID // Memory threads replies like Slack
	}
	p := &Post{ID: m.newID(), Place: place, Text: fmt.Sprintf("Idea #%d: %s", idea.ID, idea.Title), Idea: &idea}
	m.posts[place] = append(m.posts[place], p)
	return core.Thread{Place: place, CardID: p.ID}, nil
}

// UpdateIdea implements core.IdeaBoard.
func (m *Memory) UpdateIdea(_ context.Context, t core.Thread, idea core.Idea) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.ideaEdits++
	for _, p := range m.posts[t.Place] {
		if p.ID == t.CardID {
			p.Idea = &idea
			return nil
		}
	}
	return core.Permanent(fmt.Errorf("idea card %s: %w", t.CardID, core.ErrNotFound))
}

// IdeaEdits counts the idea cards rendered again.
func (m *Memory) IdeaEdits() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.ideaEdits
}

// DirectPlace implements core.DirectOpener: the direct chat is "dm-<user>".
func (m *Memory) DirectPlace(_ context.Context, userID string) (core.Place, error) {
	return core.Place{Platform: m.name, Chat: "dm-" + userID}, nil
}

// NewMemory returns a Memory platform called name whose desk channel is
// deskChat.
func NewMemory(name core.PlatformName, deskChat string) *Memory {
	return &Memory{name: name, desk: deskChat, ready: make(chan struct{}), posts: map[core.Place][]*Post{}}
}

// Name implements core.Platform.
func (m *Memory) Name() core.PlatformName { return m.name }

// Run implements core.Platform: it remembers in and waits for ctx.
func (m *Memory) Run(ctx context.Context, in core.Inbox) error {
	m.mu.Lock()
	m.inbox = in
	close(m.ready)
	m.mu.Unlock()
	<-ctx.Done()
	return ctx.Err()
}

func (m *Memory) newID() string {
	m.next++
	return fmt.Sprintf("m%d", m.next)
}

// Send implements core.Platform.
func (m *Memory) Send(_ context.Context, o core.Outgoing) (core.Receipt, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sends++
	if d := m.rateLimit; d > 0 {
		m.rateLimit = 0
		return core.Receipt{}, core.RetryAfter(d, fmt.Errorf("429 too many requests"))
	}
	if err := m.failNext; err != nil {
		m.failNext = nil
		return core.Receipt{}, err
	}
	author := o.Voice.Name
	if o.Kind == core.KindCustomerCopy {
		author = o.From.Name
	}
	p := &Post{ID: m.newID(), Place: o.Place, Author: author, Text: o.Text, Voice: o.Voice, Kind: o.Kind, Buttons: o.Buttons}
	for _, f := range o.Files {
		if m.upload > 0 && f.Size > m.upload {
			p.Text += "\n📎 " + f.Name + " is too large to relay."
			continue
		}
		p.Files = append(p.Files, f.Name)
	}
	m.posts[o.Place] = append(m.posts[o.Place], p)
	return core.Receipt{IDs: []string{p.ID}}, nil
}

// OpenThread implements core.ThreadOpener.
func (m *Memory) OpenThread(_ context.Context, desk core.Place, card core.ContactCard) (core.Thread, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.opens++
	if m.failThreads != nil {
		return core.Thread{}, m.failThreads
	}
	th := desk
	th.Thread = "t" + m.newID()
	p := &Post{ID: m.newID(), Place: th, Text: "Card: " + card.Name, Card: &card}
	m.posts[th] = append(m.posts[th], p)
	return core.Thread{Place: th, CardID: p.ID}, nil
}

// UpdateCard implements core.CardUpdater.
func (m *Memory) UpdateCard(_ context.Context, t core.Thread, card core.ContactCard) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, p := range m.posts[t.Place] {
		if p.ID == t.CardID {
			p.Card = &card
			return nil
		}
	}
	return core.Permanent(fmt.Errorf("card %s: %w", t.CardID, core.ErrNotFound))
}

func (m *Memory) find(place core.Place, id string) *Post {
	for pl, ps := range m.posts {
		if pl.Platform != place.Platform || pl.Chat != place.Chat {
			continue
		}
		for _, p := range ps {
			if p.ID == id {
				return p
			}
		}
	}
	return nil
}

// Edit implements core.Editor.
func (m *Memory) Edit(_ context.Context, place core.Place, ids []string, o core.Outgoing) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.failNext; err != nil {
		m.failNext = nil
		return err
	}
	for _, id := range ids {
		p := m.find(place, id)
		if p == nil {
			return core.Permanent(fmt.Errorf("edit %s: %w", id, core.ErrNotFound))
		}
		p.Text, p.Edited = o.Text, true
		if o.Deleted {
			p.Text = "(deleted) " + o.Text
		}
	}
	return nil
}

// Delete implements core.Deleter.
func (m *Memory) Delete(_ context.Context, place core.Place, ids []string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.failDeletes != nil {
		return m.failDeletes
	}
	for _, id := range ids {
		if p := m.find(place, id); p != nil {
			p.Deleted = true
		}
	}
	return nil
}

// React implements core.Reactor.
func (m *Memory) React(_ context.Context, place core.Place, id, emoji string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if p := m.find(place, id); p != nil {
		p.Emoji = append(p.Emoji, emoji)
		return nil
	}
	return core.Permanent(fmt.Errorf("react %s: %w", id, core.ErrNotFound))
}

// Inbox waits until Run has started and returns the inbox it was given.
func (m *Memory) Inbox(ctx context.Context) (core.Inbox, error) {
	select {
	case <-m.ready:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.inbox, nil
}

// Posts returns copies of the posts at place, oldest first.
func (m *Memory) Posts(place core.Place) []Post {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]Post, 0, len(m.posts[place]))
	for _, p := range m.posts[place] {
		out = append(out, *p)
	}
	return out
}

// Sends counts Send calls, failed ones included.
func (m *Memory) Sends() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.sends
}

// UploadLimit implements core.UploadLimiter: the limit SetUploadLimit
// set, else no limit.
func (m *Memory) UploadLimit() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.upload <= 0 {
		return 1 << 62
	}
	return m.upload
}

// SetUploadLimit makes Send refuse files over n bytes, as a platform's
// upload limit does (0: no limit).
func (m *Memory) SetUploadLimit(n int64) {
	m.mu.Lock()
	m.upload = n
	m.mu.Unlock()
}

// RateLimitNext makes the next Send fail with a retry-after of d.
func (m *Memory) RateLimitNext(d time.Duration) {
	m.mu.Lock()
	m.rateLimit = d
	m.mu.Unlock()
}

// FailThreads makes every OpenThread return err, until called with nil.
func (m *Memory) FailThreads(err error) {
	m.mu.Lock()
	m.failThreads = err
	m.mu.Unlock()
}

// Opens counts OpenThread calls.
func (m *Memory) Opens() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.opens
}

// FailDeletes makes every Delete return err while err is not nil (a
// platform that refuses deletes, such as Telegram past 48 hours).
func (m *Memory) FailDeletes(err error) {
	m.mu.Lock()
	m.failDeletes = err
	m.mu.Unlock()
}

// FailNext makes the next Send or Edit return err.
func (m *Memory) FailNext(err error) {
	m.mu.Lock()
	m.failNext = err
	m.mu.Unlock()
}

// MemoryHarness runs Contract against a Memory platform.
type MemoryHarness struct {
	M        *Memory
	Customer core.Place
	next     int
}

var _ Harness = (*MemoryHarness)(nil)

// Platform implements Harness.
func (h *MemoryHarness) Platform() core.Platform { return h.M }

// Desk implements Harness.
func (h *MemoryHarness) Desk() core.Place { return core.Place{Platform: h.M.name, Chat: h.M.desk} }

// StaffUserID implements Harness.
func (h *MemoryHarness) StaffUserID() string { return "U-STAFF" }

func (h *MemoryHarness) handle(t testing.TB, e core.Event) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	in, err := h.M.Inbox(ctx)
	if err != nil {
		t.Fatalf("memory platform not running: %v", err)
	}
	if err := in.Handle(ctx, e); err != nil {
		t.Fatalf("handle %T: %v", e, err)
	}
}

func (h *MemoryHarness) id() string {
	h.next++
	return fmt.Sprintf("ext%d", h.next)
}

// CustomerWrites implements Harness.
func (h *MemoryHarness) CustomerWrites(t testing.TB, text string) (core.Place, string, string) {
	id := h.id()
	h.handle(t, core.MessageEvent{Place: h.Customer, ID: id, Sender: core.Sender{UserID: "U-CUST", Name: "Carla Customer"}, Text: text, Direct: true})
	return h.Customer, "U-CUST", id
}

// StaffWrites implements Harness.
func (h *MemoryHarness) StaffWrites(t testing.TB, thread core.Place, text string) string {
	id := h.id()
	h.handle(t, core.MessageEvent{Place: thread, ID: id, Sender: core.Sender{UserID: h.StaffUserID(), Name: "alice"}, Text: text})
	return id
}

// StaffEdits implements Harness.
func (h *MemoryHarness) StaffEdits(t testing.TB, thread core.Place, msgID, text string) {
	h.handle(t, core.EditEvent{Place: thread, ID: msgID, Text: text})
}

// StaffDeletes implements Harness.
func (h *MemoryHarness) StaffDeletes(t testing.TB, thread core.Place, msgID string) bool {
	h.handle(t, core.DeleteEvent{Place: thread, ID: msgID})
	return true
}

// Shown implements Harness.
func (h *MemoryHarness) Shown(_ testing.TB, place core.Place) []Shown {
	var out []Shown
	for _, p := range h.M.Posts(place) {
		out = append(out, Shown{ID: p.ID, Author: p.Author, Text: p.Text, Deleted: p.Deleted})
	}
	return out
}

// RateLimitNext implements Harness.
func (h *MemoryHarness) RateLimitNext(d time.Duration) { h.M.RateLimitNext(d) }
