package relay

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"cornershop/core"
)

// Survey configures a desk's satisfaction surveys.
type Survey struct {
	// Enabled sends a survey when a conversation closes.
	Enabled bool
	// Period: at most one survey per contact in it (0 = 30 days).
	Period time.Duration
	// CommentWindow: the customer's next message this soon after rating
	// is the survey's comment, not a new conversation (0 = 10 minutes).
	CommentWindow time.Duration
}

func (s Survey) period() time.Duration { return cmpOr(s.Period, 30*24*time.Hour) }
func (s Survey) window() time.Duration { return cmpOr(s.CommentWindow, 10*time.Minute) }

func cmpOr(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// surveyAuthor marks the survey message, which leaves with its buttons.
const surveyAuthor = "system:csat"

// faces label the ratings 1 to 5.
var faces = []string{"😠", "🙁", "😐", "🙂", "😀"}

// surveyButtons are the five faces; a press comes back as the action
// "csat" with the conversation and the rating.
func surveyButtons(conv core.ConversationID) []core.Button {
	out := make([]core.Button, len(faces))
	for i, f := range faces {
		out[i] = core.Button{Label: f, Action: "csat", Args: []string{strconv.FormatInt(int64(conv), 10), strconv.Itoa(i + 1)}}
	}
	return out
}

// sendSurvey queues a survey to the customer of a conversation being
// closed, when its desk asks for surveys and the contact got none in the
// desk's period. It rates the staff member who replied last, else the
// assignee.
func (s *Service) sendSurvey(tx core.Tx, conv core.Conversation) error {
	desk, ok := s.deskAt(conv.Desk)
	if !ok || !desk.Survey.Enabled {
		return nil
	}
	if _, ok := s.listeningAt(conv.Customer); ok {
		return nil // a reply in a listening place: no survey posted to the whole community
	}
	now := s.now()
	switch last, err := tx.LatestSurvey(conv.ContactID); {
	case err == nil && now.Sub(last.SentAt) < desk.Survey.period():
		return nil
	case err != nil && !errors.Is(err, core.ErrNotFound):
		return fmt.Errorf("latest survey: %w", err)
	}
	msgs, err := tx.Messages(conv.ID)
	if err != nil {
		return fmt.Errorf("load messages: %w", err)
	}
	who := conv.Assignee
	for _, m := range slices.Backward(msgs) {
		if id, ok := strings.CutPrefix(m.Author, "staff:"); ok && m.Direction == core.Reply {
			who = core.StaffID(id)
			break
		}
	}
	sv := core.Survey{Conversation: conv.ID, Contact: conv.ContactID, Desk: desk.Place, Staff: who, SentAt: now}
	if err := tx.CreateSurvey(&sv); err != nil {
		return fmt.Errorf("create survey: %w", err)
	}
	m := core.Message{ConversationID: conv.ID, Direction: core.System, Author: surveyAuthor, CreatedAt: now,
		Text: "How did we do? Tap a face to rate this conversation."}
	if err := tx.CreateMessage(&m); err != nil {
		return fmt.Errorf("record survey message: %w", err)
	}
	return s.enqueue(tx, core.Delivery{
		Key: fmt.Sprintf("csat:%d", sv.ID), ConversationID: conv.ID, MessageID: m.ID,
		Op: core.OpSend, Side: core.CustomerSide, Platform: conv.Customer.Platform,
	})
}

// rate records a survey button press: once, and only from the contact
// the survey went to.
func (s *Service) rate(ctx context.Context, a *action) (core.ActionResult, error) {
	if len(a.Args) != 2 {
		return core.ActionResult{}, fmt.Errorf("relay: csat args %q: %w", a.Args, core.ErrInvalid)
	}
	convID, err1 := strconv.ParseInt(a.Args[0], 10, 64)
	rating, err2 := strconv.Atoi(a.Args[1])
	if err1 != nil || err2 != nil || rating < 1 || rating > len(faces) {
		return core.ActionResult{}, fmt.Errorf("relay: csat args %q: %w", a.Args, core.ErrInvalid)
	}
	var out string
	err := a.do(ctx, func(tx core.Tx) error {
		me, err := s.contactFor(tx, a.Place.Platform, a.Sender)
		if err != nil {
			return err
		}
		sv, err := tx.ConversationSurvey(core.ConversationID(convID))
		if errors.Is(err, core.ErrNotFound) || (err == nil && sv.Contact != me.ID) {
			out = "This survey is not yours to answer."
			return nil
		}
		if err != nil {
			return fmt.Errorf("load survey: %w", err)
		}
		now := s.now()
		first, err := tx.RateSurvey(sv.ID, rating, now)
		if err != nil || !first {
			out = "You rated this conversation already — thank you!"
			return err
		}
		sv.Rating, sv.RatedAt = rating, now
		if err := tx.Audit(core.AuditEntry{At: now, Actor: fmt.Sprintf("contact:%d", me.ID), Action: "csat.rate",
			Object: sv.Conversation.String(), Detail: strconv.Itoa(rating)}); err != nil {
			return fmt.Errorf("audit: %w", err)
		}
		conv, err := tx.Conversation(sv.Conversation)
		if err != nil {
			return fmt.Errorf("load conversation: %w", err)
		}
		if err := s.systemNote(tx, conv, fmt.Sprintf("⭐ The customer rated this conversation %s (rates %s).", satisfaction(sv), staffLabel(sv.Staff))); err != nil {
			return err
		}
		out = fmt.Sprintf("Thank you for your rating! To add a comment, just write it here in the next %s.", aboutDuration(s.surveyOf(conv).window()))
		return s.cardUpdate(tx, conv)
	})
	return core.ActionResult{Text: out}, err
}

func (s *Service) surveyOf(conv core.Conversation) Survey {
	desk, _ := s.deskAt(conv.Desk)
	return desk.Survey
}

func staffLabel(id core.StaffID) string {
	if id == "" {
		return "nobody in particular"
	}
	return string(id)
}

// satisfaction renders a survey's result for the card and notes.
func satisfaction(sv core.Survey) string {
	if sv.Rating < 1 || sv.Rating > len(faces) {
		return ""
	}
	out := fmt.Sprintf("%d/5 %s", sv.Rating, faces[sv.Rating-1])
	if sv.Comment != "" {
		out += " — “" + sv.Comment + "”"
	}
	return out
}

// surveyComment takes a customer's message as their survey's comment
// when it is the first message after they rated, within the desk's
// comment window, at the conversation's place: it is recorded in the
// rated conversation, shown in its desk thread and on its card, and
// neither reopens it nor starts a new conversation.
func (s *Service) surveyComment(tx core.Tx, c core.Contact, e core.MessageEvent) (bool, error) {
	sv, err := tx.LatestSurvey(c.ID)
	switch {
	case errors.Is(err, core.ErrNotFound):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("latest survey: %w", err)
	case sv.Rating == 0 || !sv.CommentedAt.IsZero() || strings.TrimSpace(e.Text) == "":
		return false, nil
	}
	conv, err := tx.Conversation(sv.Conversation)
	if err != nil {
		return false, fmt.Errorf("load conversation: %w", err)
	}
	now := s.now()
	if conv.Status != core.StatusClosed || conv.Customer.Platform != e.Place.Platform || conv.Customer.Chat != e.Place.Chat ||
		now.Sub(sv.RatedAt) > s.surveyOf(conv).window() {
		return false, nil
	}
	m := core.Message{ConversationID: conv.ID, Direction: core.Inbound, Author: fmt.Sprintf("contact:%d", c.ID), AuthorName: senderName(e.Sender),
		Text: e.Text, CreatedAt: s.at(e.At)}
	if err := tx.CreateMessage(&m); err != nil {
		return false, fmt.Errorf("record survey comment: %w", err)
	}
	if err := tx.AddRef(core.Ref{MessageID: m.ID, Side: core.CustomerSide, Source: true, Platform: e.Place.Platform, Chat: e.Place.Chat, PlatformID: e.ID}); err != nil {
		return false, fmt.Errorf("record survey comment ref: %w", err)
	}
	if err := tx.CommentSurvey(sv.ID, e.Text, now); err != nil {
		return false, fmt.Errorf("comment survey: %w", err)
	}
	if err := s.systemNote(tx, conv, "💬 Survey comment: "+e.Text); err != nil {
		return false, err
	}
	return true, s.cardUpdate(tx, conv)
}
