package relay

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"cornershop/core"
)

// Ideas configures idea threads.
type Ideas struct {
	// Boards are the places where every post is an idea: a Slack channel
	// or Discord forum (Thread empty: a thread per idea) or a Telegram
	// forum topic (Thread set: ideas share it, replies to a card comment).
	Boards []core.Place
	// DailyNotices is how many notices one person gets in DigestWindow
	// before further ones wait and leave together as one digest [3].
	DailyNotices int
	// DigestWindow is the period DailyNotices counts over [24h].
	DigestWindow time.Duration
	// DigestDelay is how long a digest collects before it leaves [1h].
	DigestDelay time.Duration
	// Moderation queues ideas for a moderator: "new" those of contacts
	// younger than NewContactAge or tagged "flagged", "all" every idea,
	// "" none.
	Moderation    string
	NewContactAge time.Duration // [24h]
}

func (c Ideas) withDefaults() Ideas {
	if c.DailyNotices <= 0 {
		c.DailyNotices = 3
	}
	if c.DigestWindow <= 0 {
		c.DigestWindow = 24 * time.Hour
	}
	if c.DigestDelay <= 0 {
		c.DigestDelay = time.Hour
	}
	if c.NewContactAge <= 0 {
		c.NewContactAge = 24 * time.Hour
	}
	return c
}

// boardAt returns the ideas board place is on.
func (s *Service) boardAt(place core.Place) (core.Place, bool) {
	for _, b := range s.cfg.Ideas.Boards {
		if b.Platform == place.Platform && b.Chat == place.Chat && (b.Thread == "" || b.Thread == place.Thread) {
			return b, true
		}
	}
	return core.Place{}, false
}

// ideaLane keeps an idea's card operations in order.
func ideaLane(id core.IdeaID) string { return fmt.Sprintf("i%d", int64(id)) }

// noticeLane keeps one person's notices in order.
func noticeLane(c core.ContactID) string { return fmt.Sprintf("n%d", int64(c)) }

// refreshIdea queues a render of the idea's card (posting it the first
// time). Card work of one idea shares a lane, so renders never cross.
func (s *Service) refreshIdea(tx core.Tx, i core.Idea) error {
	if i.Origin.IsZero() {
		return nil
	}
	return s.enqueue(tx, core.Delivery{Key: fmt.Sprintf("idea_card:%d:%s", int64(i.ID), nonce()),
		IdeaID: i.ID, Op: core.OpIdeaCard, Side: core.CustomerSide, Platform: i.Origin.Platform, Lane: ideaLane(i.ID)})
}

// nonce returns 12 random hex digits, for keys of operations that may
// repeat within one clock tick.
func nonce() string {
	var b [6]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return hex.EncodeToString(b[:])
}

// SplitIdea reads "<title> — <details>" (an em dash, " - ", " -- " or a
// line break between them) into a title and details.
func SplitIdea(text string) (title, body string) {
	text = strings.TrimSpace(text)
	best := -1
	sepLen := 0
	for _, sep := range []string{"\n", " — ", " – ", " -- ", " - ", "—"} {
		if i := strings.Index(text, sep); i > 0 && (best < 0 || i < best) {
			best, sepLen = i, len(sep)
		}
	}
	if best < 0 {
		return clip(text, maxTitle), ""
	}
	return clip(strings.TrimSpace(text[:best]), maxTitle), strings.TrimSpace(text[best+sepLen:])
}

const maxTitle = 120

// proposal is what a new idea is made of.
type proposal struct {
	origin      core.Place // where its card goes
	source      string     // the platform id of the proposing message
	title, body string
}

// propose records a new idea by author, with the author's vote, and queues
// its card unless it waits for a moderator. ErrDuplicate: the proposing
// message was recorded before.
func (s *Service) propose(tx core.Tx, author core.Contact, voter core.Voter, p proposal, actor string) (core.Idea, error) {
	now := s.now()
	i := core.Idea{
		Title: p.title, Body: p.body, Status: core.IdeaNew, Author: author.ID, AuthorName: author.Name,
		Origin: p.origin, SourceID: p.source, Queued: s.needsReview(author), CreatedAt: now, UpdatedAt: now,
	}
	if err := tx.CreateIdea(&i); err != nil {
		return core.Idea{}, fmt.Errorf("record idea: %w", err)
	}
	voter.Contact, voter.At = author.ID, now
	if _, err := tx.ToggleVote(i.ID, voter); err != nil {
		return core.Idea{}, fmt.Errorf("record author's vote: %w", err)
	}
	if err := tx.Audit(core.AuditEntry{At: now, Actor: actor, Action: "idea.propose", Object: i.ID.String(), Detail: p.title}); err != nil {
		return core.Idea{}, fmt.Errorf("audit: %w", err)
	}
	if i.Queued {
		return i, nil
	}
	return i, s.refreshIdea(tx, i)
}

// needsReview reports whether the moderation setting queues c's ideas.
func (s *Service) needsReview(c core.Contact) bool {
	switch s.cfg.Ideas.Moderation {
	case "all":
		return true
	case "new":
		return core.HasTag(c.Tags, "flagged") || s.now().Sub(c.CreatedAt) < s.cfg.Ideas.NewContactAge
	}
	return false
}

// similar lists up to three visible ideas whose titles share most words
// with title, so people vote instead of proposing a duplicate.
func similar(tx core.Tx, title string, except core.IdeaID) ([]core.Idea, error) {
	all, err := tx.Ideas(core.IdeaFilter{Order: core.IdeasNew, Limit: 1000})
	if err != nil {
		return nil, fmt.Errorf("similar ideas: %w", err)
	}
	want := words(title)
	type scored struct {
		idea  core.Idea
		score float64
	}
	var hits []scored
	for _, i := range all {
		if i.ID == except {
			continue
		}
		if sc := jaccard(want, words(i.Title)); sc >= 0.34 {
			hits = append(hits, scored{i, sc})
		}
	}
	slices.SortStableFunc(hits, func(a, b scored) int {
		switch {
		case a.score > b.score:
			return -1
		case a.score < b.score:
			return 1
		}
		return b.idea.Votes - a.idea.Votes
	})
	var out []core.Idea
	for _, h := range hits[:min(3, len(hits))] {
		out = append(out, h.idea)
	}
	return out, nil
}

// stopWords are too common to make two titles alike.
var stopWords = map[string]bool{"the": true, "and": true, "for": true, "with": true, "add": true, "please": true, "can": true, "you": true, "would": true, "should": true, "have": true, "that": true, "this": true}

func words(s string) map[string]bool {
	out := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if len([]rune(w)) >= 3 && !stopWords[w] {
			out[strings.TrimSuffix(w, "s")] = true
		}
	}
	return out
}

func jaccard(a, b map[string]bool) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	both := 0
	for w := range a {
		if b[w] {
			both++
		}
	}
	return float64(both) / float64(len(a)+len(b)-both)
}

// ideaLine renders an idea for lists: "#12 Dark mode — Planned · 14 votes".
func ideaLine(i core.Idea) string {
	votes := "1 vote"
	if i.Votes != 1 {
		votes = fmt.Sprintf("%d votes", i.Votes)
	}
	line := fmt.Sprintf("%s #%d %s — %s · %s", i.Status.Emoji(), i.ID, i.Title, i.Status.Label(), votes)
	if i.Pinned {
		line = "📌 " + line
	}
	if i.Hidden {
		line += " · hidden (" + i.HideReason + ")"
	}
	if i.Queued {
		line += " · awaiting review"
	}
	return line
}

// parseIdeaID reads "12" or "#12".
func parseIdeaID(s string) (core.IdeaID, bool) {
	n, err := strconv.ParseInt(strings.TrimPrefix(strings.TrimSpace(s), "#"), 10, 64)
	if err != nil || n <= 0 {
		return 0, false
	}
	return core.IdeaID(n), true
}

// customerIdea answers /idea at a customer place.
func (s *Service) customerIdea(ctx context.Context, a *action) (core.ActionResult, error) {
	title, body := SplitIdea(strings.Join(a.Args, " "))
	if title == "" {
		return core.ActionResult{Text: "Tell us your idea: /idea <title> — <details>"}, nil
	}
	var out string
	err := a.do(ctx, func(tx core.Tx) error {
		me, err := s.contactFor(tx, a.Place.Platform, a.Sender)
		if err != nil {
			return err
		}
		if me.Blocked {
			out = "Sorry, we cannot take ideas from this account."
			return nil
		}
		i, err := s.propose(tx, me, core.Voter{Platform: a.Place.Platform, UserID: a.Sender.UserID},
			proposal{origin: a.Place, source: a.Ref, title: title, body: body}, fmt.Sprintf("contact:%d", me.ID))
		if errors.Is(err, core.ErrDuplicate) {
			out = "Your idea is already posted."
			return nil
		}
		if err != nil {
			return err
		}
		out, err = proposedText(tx, i)
		return err
	})
	return core.ActionResult{Text: out}, err
}

// proposedText is what a proposer is told, with similar ideas to vote for.
func proposedText(tx core.Tx, i core.Idea) (string, error) {
	out := fmt.Sprintf("💡 Thanks! Your idea #%d “%s” is posted and has your vote.", i.ID, i.Title)
	if i.Queued {
		out = fmt.Sprintf("💡 Thanks! Your idea #%d “%s” will appear once a moderator has seen it.", i.ID, i.Title)
	}
	like, err := similar(tx, i.Title, i.ID)
	if err != nil {
		return "", err
	}
	if len(like) > 0 {
		out += "\nSimilar ideas — if one is the same, vote for it instead:"
		for _, l := range like {
			out += "\n" + ideaLine(l)
		}
	}
	return out, nil
}

// vote toggles the invoker's vote on the idea in args[0]; a vote on a
// merged idea counts for the idea it was merged into.
func (s *Service) vote(ctx context.Context, a *action) (core.ActionResult, error) {
	id, ok := core.IdeaID(0), false
	if len(a.Args) > 0 {
		id, ok = parseIdeaID(a.Args[0])
	}
	if !ok {
		return core.ActionResult{Text: "Which idea? Vote with the button on its card."}, nil
	}
	var out string
	err := a.do(ctx, func(tx core.Tx) error {
		me, err := s.contactFor(tx, a.Place.Platform, a.Sender)
		if err != nil {
			return err
		}
		i, err := tx.Idea(id)
		if errors.Is(err, core.ErrNotFound) {
			out = fmt.Sprintf("There is no idea #%d.", id)
			return nil
		}
		if err != nil {
			return fmt.Errorf("load idea: %w", err)
		}
		for hops := 0; i.MergedInto != 0 && hops < 10; hops++ {
			if i, err = tx.Idea(i.MergedInto); err != nil {
				return fmt.Errorf("load surviving idea: %w", err)
			}
		}
		switch {
		case me.Blocked:
			out = "Sorry, we cannot take votes from this account."
			return nil
		case !i.Visible():
			out = fmt.Sprintf("Idea #%d is not open for votes.", i.ID)
			return nil
		}
		now := s.now()
		res, err := tx.ToggleVote(i.ID, core.Voter{Contact: me.ID, Platform: a.Place.Platform, UserID: a.Sender.UserID, At: now})
		if err != nil {
			return fmt.Errorf("vote: %w", err)
		}
		if res == core.AlreadyCounted {
			out = fmt.Sprintf("Your vote for #%d “%s” is already counted, from your other account: one vote per person.", i.ID, i.Title)
			return nil
		}
		action := map[core.VoteResult]string{core.Voted: "idea.vote", core.Unvoted: "idea.unvote"}[res]
		if err := tx.Audit(core.AuditEntry{At: now, Actor: fmt.Sprintf("contact:%d", me.ID), Action: action, Object: i.ID.String()}); err != nil {
			return fmt.Errorf("audit: %w", err)
		}
		if i, err = tx.Idea(i.ID); err != nil {
			return fmt.Errorf("reload idea: %w", err)
		}
		if res == core.Voted {
			out = fmt.Sprintf("👍 You voted for #%d “%s” (%d votes). We will tell you when it moves.", i.ID, i.Title, i.Votes)
		} else {
			out = fmt.Sprintf("Your vote for #%d “%s” is withdrawn (%d votes).", i.ID, i.Title, i.Votes)
		}
		return s.refreshIdea(tx, i)
	})
	return core.ActionResult{Text: out}, err
}

// customerIdeas answers /ideas [top|new|<status>|mute|unmute].
func (s *Service) customerIdeas(ctx context.Context, a *action) (core.ActionResult, error) {
	arg := strings.ToLower(strings.TrimSpace(strings.Join(a.Args, " ")))
	var out string
	err := a.do(ctx, func(tx core.Tx) error {
		if arg == "mute" || arg == "unmute" {
			me, err := s.contactFor(tx, a.Place.Platform, a.Sender)
			if err != nil {
				return err
			}
			if err := tx.SetMuted(me.ID, arg == "mute", s.now()); err != nil {
				return fmt.Errorf("set muted: %w", err)
			}
			out = map[string]string{"mute": "🔕 Muted: you will get no more news about ideas. /ideas unmute turns it back on.",
				"unmute": "🔔 You will hear when ideas you back move again."}[arg]
			return nil
		}
		var err error
		out, err = listIdeas(tx, arg, false)
		return err
	})
	return core.ActionResult{Text: out}, err
}

// listIdeas renders a list: "" or "top", "new", a status, or (staff)
// "queue" and "hidden".
func listIdeas(tx core.Tx, arg string, staff bool) (string, error) {
	f := core.IdeaFilter{Limit: 10}
	title := "Top ideas"
	switch arg {
	case "", "top":
	case "new":
		f.Order, title = core.IdeasNew, "Newest ideas"
	case "queue":
		if !staff {
			return "Try /ideas, /ideas new, or /ideas planned.", nil
		}
		f.Queued, f.Order, title = true, core.IdeasNew, "Ideas awaiting review"
	case "hidden":
		if !staff {
			return "Try /ideas, /ideas new, or /ideas planned.", nil
		}
		f.Hidden, title = true, "Hidden ideas"
	default:
		st, ok := core.ParseIdeaStatus(arg)
		if !ok {
			return "Try /ideas, /ideas new, or a status: new, under review, planned, in progress, done, declined.", nil
		}
		f.Statuses, title = []core.IdeaStatus{st}, st.Label()+" ideas"
	}
	is, err := tx.Ideas(f)
	if err != nil {
		return "", fmt.Errorf("list ideas: %w", err)
	}
	switch arg {
	case "queue":
		is = slices.DeleteFunc(is, func(i core.Idea) bool { return !i.Queued })
	case "hidden":
		is = slices.DeleteFunc(is, func(i core.Idea) bool { return !i.Hidden })
	}
	if len(is) == 0 {
		return title + ": none yet. Propose one with /idea <title> — <details>.", nil
	}
	var b strings.Builder
	b.WriteString(title + ":")
	for _, i := range is {
		b.WriteString("\n" + ideaLine(i))
	}
	return b.String(), nil
}

// boardMessage records a post on an ideas board: a new idea, or a comment
// on one (a message in an idea's thread, a reply to its card).
func (s *Service) boardMessage(tx core.Tx, board core.Place, e core.MessageEvent) error {
	var (
		idea core.Idea
		err  error
	)
	switch {
	case e.ReplyTo != "":
		idea, err = tx.IdeaAt(e.Place.Channel(), e.ReplyTo)
	case board.Thread == "" && e.Place.Thread != "":
		idea, err = tx.IdeaAt(e.Place, "")
	default:
		err = core.ErrNotFound
	}
	switch {
	case err == nil:
		return s.comment(tx, idea, e)
	case !errors.Is(err, core.ErrNotFound):
		return fmt.Errorf("find idea: %w", err)
	}
	refers := e.ReplyTo != "" || board.Thread == "" && e.Place.Thread != "" && e.Subject == ""
	if refers {
		// A reply to a card Discord or Telegram has shown but whose id is
		// not recorded yet: the platform hands the event in again (it is
		// not acknowledged), by when the card is known.
		inFlight, err := tx.IdeaCardInFlight(board)
		if err != nil {
			return fmt.Errorf("find idea: %w", err)
		}
		if inFlight {
			return core.Transient(fmt.Errorf("a reply on the %s board while an idea card is on its way: %w", board.Platform, errCardInFlight))
		}
	}
	if board.Thread == "" && e.Place.Thread != "" && e.Subject == "" {
		return nil // a thread on the board that is no idea of ours
	}
	if _, ok := s.staff.byUser(e.Place.Platform, e.Sender.UserID); ok && e.Subject == "" {
		return nil // the team talking on the board
	}
	author, err := s.contactFor(tx, e.Place.Platform, e.Sender)
	if err != nil {
		return err
	}
	if author.Blocked {
		return nil
	}
	title, body := e.Subject, strings.TrimSpace(e.Text)
	if title == "" {
		title, body = SplitIdea(e.Text)
	}
	if title == "" {
		return nil // a picture alone is no idea
	}
	_, err = s.propose(tx, author, core.Voter{Platform: e.Place.Platform, UserID: e.Sender.UserID},
		proposal{origin: e.Place, source: e.ID, title: title, body: body}, fmt.Sprintf("contact:%d", author.ID))
	return ignoreDuplicate(err) // a repeat of a post already recorded
}

// errCardInFlight marks a board message that may answer a card whose id is
// not recorded yet.
var errCardInFlight = errors.New("idea card not recorded yet")

func ignoreDuplicate(err error) error {
	if errors.Is(err, core.ErrDuplicate) {
		return nil
	}
	return err
}

// comment records a message about an idea.
func (s *Service) comment(tx core.Tx, i core.Idea, e core.MessageEvent) error {
	c := core.IdeaComment{Idea: i.ID, AuthorName: senderName(e.Sender), UserID: e.Sender.UserID, Text: e.Text,
		Platform: e.Place.Platform, Chat: e.Place.Chat, PlatformID: e.ID, At: s.at(e.At)}
	if st, ok := s.staff.byUser(e.Place.Platform, e.Sender.UserID); ok {
		c.Author, c.UserID = "staff:"+string(st.ID), ""
	} else {
		who, err := s.contactFor(tx, e.Place.Platform, e.Sender)
		if err != nil {
			return err
		}
		c.Author = fmt.Sprintf("contact:%d", who.ID)
	}
	if err := tx.AddComment(&c); err != nil {
		return ignoreDuplicate(err)
	}
	return s.refreshIdea(tx, i)
}
