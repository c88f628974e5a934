package relay

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"cornershop/core"
)

// Customer actions of self-help: /help <question> searches, a press of an
// answer's button shows it, and the two buttons under a suggestion say
// whether it solved the question.
const (
	actAnswer = "answer" // args: answer id
	actSolved = "solved" // args: conversation id
	actPerson = "person" // args: conversation id
)

// answerButtons are one button per answer, showing it when pressed.
func answerButtons(as []core.Answer) []core.Button {
	bs := make([]core.Button, len(as))
	for i, a := range as {
		bs[i] = core.Button{Label: "📄 " + clip(a.Title, 60), Action: actAnswer, Args: []string{strconv.FormatInt(int64(a.ID), 10)}}
	}
	return bs
}

// customerHelpSearch answers /help <question> with the best matches as
// buttons, or says nothing matched (and records the miss).
func (s *Service) customerHelpSearch(ctx context.Context, a *action) (core.ActionResult, error) {
	question := strings.Join(a.Args, " ")
	var res core.ActionResult
	err := a.do(ctx, func(tx core.Tx) error {
		hs, err := tx.SearchAnswers(core.AnswerQuery{Text: question, Limit: s.cfg.Answers.Limit})
		if err != nil {
			return fmt.Errorf("search answers: %w", err)
		}
		if len(hs) == 0 {
			res = core.ActionResult{Text: "I found no answer to that. Just write your question here and a person from our team will answer."}
			return tx.RecordMiss(question, s.now())
		}
		as := make([]core.Answer, len(hs))
		for i, h := range hs {
			as[i] = h.Answer
			if err := tx.CountAnswer(h.Answer.ID, core.AnswerShown); err != nil {
				return fmt.Errorf("count shown: %w", err)
			}
		}
		res = core.ActionResult{Text: "These answers may help — tap one to read it:", Buttons: answerButtons(as)}
		return nil
	})
	return res, err
}

// showAnswer answers a press of an answer's button with the answer.
func (s *Service) showAnswer(ctx context.Context, a *action) (core.ActionResult, error) {
	if len(a.Args) == 0 {
		return core.ActionResult{}, fmt.Errorf("answer button without an answer: %w", core.ErrInvalid)
	}
	id, ok := parseAnswerID(a.Args[0])
	if !ok {
		return core.ActionResult{}, fmt.Errorf("answer button %q: %w", a.Args[0], core.ErrInvalid)
	}
	var res core.ActionResult
	err := a.do(ctx, func(tx core.Tx) error {
		ans, err := tx.Answer(id)
		if errors.Is(err, core.ErrNotFound) {
			res = core.ActionResult{Text: "That answer is no longer available. Write to us and we will help."}
			return nil
		}
		if err != nil {
			return fmt.Errorf("load answer: %w", err)
		}
		res = core.ActionResult{Text: ans.Title + "\n\n" + ans.Body, Message: true}
		return nil
	})
	return res, err
}

// decide records what a customer said under a suggestion: solved closes
// the conversation as self-served, person leaves it as it is. Either way
// the desk thread says so; a second press changes nothing.
func (s *Service) decide(ctx context.Context, a *action, o core.SuggestionOutcome) (core.ActionResult, error) {
	if len(a.Args) == 0 {
		return core.ActionResult{}, fmt.Errorf("suggestion button without a conversation: %w", core.ErrInvalid)
	}
	id, err := strconv.ParseInt(a.Args[0], 10, 64)
	if err != nil {
		return core.ActionResult{}, fmt.Errorf("suggestion button %q: %w", a.Args[0], core.ErrInvalid)
	}
	var out string
	err = a.do(ctx, func(tx core.Tx) error {
		me, err := s.contactFor(tx, a.Place.Platform, a.Sender)
		if err != nil {
			return err
		}
		sg, conv, ok, err := s.suggestionOf(tx, id, me)
		if err != nil || !ok {
			out = "This question is already on its way."
			return err
		}
		now := s.now()
		first, err := tx.DecideSuggestion(sg.ID, o, now)
		if err != nil {
			return fmt.Errorf("record choice: %w", err)
		}
		if !first {
			out = "Got it already — thank you."
			return nil
		}
		counter, note := core.AnswerNotHelped, "🙋 The customer still needs a person: the suggested answers did not solve it."
		out = "Thanks — a person from our team will answer here soon."
		if o == core.SuggestionSolved {
			counter, note = core.AnswerHelped, "✅ The customer said a suggested answer solved it: closed as self-served."
			out = "Glad that helped! Write again any time."
		}
		for _, aid := range sg.Answers {
			if err := tx.CountAnswer(aid, counter); err != nil && !errors.Is(err, core.ErrNotFound) {
				return fmt.Errorf("count answer: %w", err)
			}
		}
		if err := tx.Audit(core.AuditEntry{At: now, Actor: fmt.Sprintf("contact:%d", me.ID), Action: "answer.suggestion." + string(o), Object: conv.ID.String()}); err != nil {
			return fmt.Errorf("audit: %w", err)
		}
		if err := s.systemNote(tx, conv, note); err != nil {
			return err
		}
		if o != core.SuggestionSolved || conv.Status == core.StatusClosed {
			return nil
		}
		// Closed: the SLA clock stops as on !close. No survey: the customer
		// has just told us how it went.
		if err := s.stopClock(tx, conv.ID, "close"); err != nil {
			return err
		}
		closed := core.StatusClosed
		tags := append(conv.Tags[:len(conv.Tags):len(conv.Tags)], "self-served")
		if err := tx.UpdateConversation(conv.ID, core.ConversationPatch{Status: &closed, ClosedAt: &now, Tags: &tags}, now); err != nil {
			return fmt.Errorf("close as self-served: %w", err)
		}
		conv.Status, conv.Tags = closed, tags
		return s.cardUpdate(tx, conv)
	})
	return core.ActionResult{Text: out}, err
}

// suggestionOf loads the suggestion of conversation id if the
// conversation is contact's (a button forwarded to someone else does
// nothing).
func (s *Service) suggestionOf(tx core.Tx, id int64, contact core.Contact) (core.Suggestion, core.Conversation, bool, error) {
	conv, err := tx.Conversation(core.ConversationID(id))
	if err != nil {
		return core.Suggestion{}, conv, false, ignoreNotFound(err)
	}
	if conv.ContactID != contact.ID {
		return core.Suggestion{}, conv, false, nil
	}
	sg, err := tx.SuggestionFor(conv.ID)
	if err != nil {
		return sg, conv, false, ignoreNotFound(err)
	}
	return sg, conv, true, nil
}

func ignoreNotFound(err error) error {
	if errors.Is(err, core.ErrNotFound) {
		return nil
	}
	return err
}
