package relay

import (
	"fmt"
	"strconv"
	"strings"

	"cornershop/core"
)

// suggest offers answers matching a new conversation's first message, once
// per conversation and only when the engine finds them relevant: a
// message in the team's voice with a button per answer and two more —
// "This solved it" and "I still need a person" — queued to the customer,
// and a note in the desk thread saying what was offered. Nothing waits
// for it: the customer's message goes to the desk as usual.
func (s *Service) suggest(tx core.Tx, conv core.Conversation, text string) error {
	if !s.cfg.Answers.suggesting() || strings.TrimSpace(text) == "" {
		return nil
	}
	hs, err := tx.SearchAnswers(core.AnswerQuery{Text: text, Limit: s.cfg.Answers.Limit, Relevant: true})
	if err != nil {
		return fmt.Errorf("suggest answers: %w", err)
	}
	if len(hs) == 0 {
		return nil
	}
	now := s.now()
	titles := make([]string, len(hs))
	ids := make([]core.AnswerID, len(hs))
	for i, h := range hs {
		titles[i], ids[i] = fmt.Sprintf("#%d %s", h.Answer.ID, h.Answer.Title), h.Answer.ID
		if err := tx.CountAnswer(h.Answer.ID, core.AnswerShown); err != nil {
			return fmt.Errorf("count shown: %w", err)
		}
	}
	m := core.Message{ConversationID: conv.ID, Direction: core.System, Author: "system", CreatedAt: now,
		Text: "Thanks for writing! While a person from our team looks at your message, these answers may already help:"}
	if err := tx.CreateMessage(&m); err != nil {
		return fmt.Errorf("record suggestion: %w", err)
	}
	sg := core.Suggestion{Conversation: conv.ID, Message: m.ID, Answers: ids, CreatedAt: now}
	if err := tx.CreateSuggestion(&sg); err != nil {
		return fmt.Errorf("record suggestion: %w", err)
	}
	if err := s.enqueue(tx, core.Delivery{
		Key: fmt.Sprintf("send:customer:%d", m.ID), ConversationID: conv.ID, MessageID: m.ID,
		Op: core.OpSend, Side: core.CustomerSide, Platform: conv.Customer.Platform,
	}); err != nil {
		return err
	}
	return s.systemNote(tx, conv, "💡 Suggested to the customer: "+strings.Join(titles, " · ")+"\n(their choice will show here)")
}

// suggestionButtons are the controls under a suggestion: one per answer,
// then the two that say whether it helped.
func suggestionButtons(sg core.Suggestion, as []core.Answer) []core.Button {
	conv := strconv.FormatInt(int64(sg.Conversation), 10)
	return append(answerButtons(as),
		core.Button{Label: "✅ This solved it", Action: actSolved, Args: []string{conv}},
		core.Button{Label: "🙋 I still need a person", Action: actPerson, Args: []string{conv}})
}

// suggestionControls returns the buttons of the suggestion message m
// carries; none when m carries none.
func suggestionControls(tx core.Tx, m core.MessageID) ([]core.Button, error) {
	sg, err := tx.SuggestionByMessage(m)
	if err != nil {
		return nil, ignoreNotFound(err)
	}
	var as []core.Answer
	for _, id := range sg.Answers {
		a, err := tx.Answer(id)
		if err != nil {
			if ignoreNotFound(err) != nil {
				return nil, fmt.Errorf("load suggested answer: %w", err)
			}
			continue // removed since
		}
		as = append(as, a)
	}
	return suggestionButtons(sg, as), nil
}
