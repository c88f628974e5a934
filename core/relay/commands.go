package relay

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"cornershop/core"
)

const usage = "Commands: !close, !reopen, !note <text>, !team <text> (reply as the team), !help. Start a message with // for an internal note."

// command runs a desk text command (without its prefix) and returns what to
// tell the invoker. Usage errors are answered in the thread, not returned.
func (s *Service) command(tx core.Tx, conv core.Conversation, st core.Staff, e core.MessageEvent, line string) (string, error) {
	name, rest, _ := strings.Cut(line, " ")
	rest = strings.TrimSpace(rest)
	actor := "staff:" + string(st.ID)
	now := s.now()
	setStatus := func(to core.Status, action, say string) (string, error) {
		if conv.Status == to {
			return "Already " + string(to) + ".", nil
		}
		p := core.ConversationPatch{Status: &to}
		if to == core.StatusClosed {
			p.ClosedAt = &now
		}
		if err := tx.UpdateConversation(conv.ID, p, now); err != nil {
			return "", fmt.Errorf("%s conversation: %w", action, err)
		}
		conv.Status = to
		if err := tx.Audit(core.AuditEntry{At: now, Actor: actor, Action: action, Object: conv.ID.String()}); err != nil {
			return "", fmt.Errorf("audit: %w", err)
		}
		msg := fmt.Sprintf(say, st.Voice.Name)
		if err := s.systemNote(tx, conv, msg); err != nil {
			return "", err
		}
		return msg, s.cardUpdate(tx, conv)
	}
	switch strings.ToLower(name) {
	case "close":
		return setStatus(core.StatusClosed, "close", "✅ Closed by %s.")
	case "reopen":
		return setStatus(core.StatusOpen, "reopen", "↩️ Reopened by %s.")
	case "note":
		if rest == "" {
			break
		}
		return "Noted.", s.note(tx, conv, st, e, rest)
	case "team", "anon":
		if rest == "" {
			break
		}
		return "Sent as the team.", s.reply(tx, conv, st, e, rest, true)
	case "reply", "send":
		if rest == "" {
			break
		}
		return "Sent.", s.reply(tx, conv, st, e, rest, false)
	case "help":
		return usage, s.systemNote(tx, conv, usage)
	default:
		msg := fmt.Sprintf("Unknown command %q. %s", name, usage)
		return msg, s.systemNote(tx, conv, msg)
	}
	msg := fmt.Sprintf("%q needs some text. %s", name, usage)
	return msg, s.systemNote(tx, conv, msg)
}

// Act implements core.ActionInbox: native slash commands and buttons in a
// desk thread run the same commands as text.
func (s *Service) Act(ctx context.Context, a core.ActionEvent) (core.ActionResult, error) {
	if err := validate(a); err != nil {
		return core.ActionResult{}, err
	}
	desk, ok := s.deskAt(a.Place)
	if !ok {
		return s.customerAction(a), nil
	}
	if a.Place.Thread == "" {
		return core.ActionResult{Text: "Run this inside a conversation's desk thread."}, nil
	}
	st, isStaff, err := s.resolveStaff(ctx, desk, a.Sender)
	if err != nil {
		return core.ActionResult{}, err
	}
	if !isStaff {
		return core.ActionResult{Text: "Only staff can do that."}, nil
	}
	var out string
	err = s.commit.do(ctx, func(tx core.Tx) error {
		conv, err := tx.ConversationByDesk(a.Place)
		if errors.Is(err, core.ErrNotFound) {
			out = "This thread is not a cornershop conversation."
			return nil
		}
		if err != nil {
			return fmt.Errorf("find conversation by desk thread: %w", err)
		}
		line := strings.TrimSpace(a.Name + " " + strings.Join(a.Args, " "))
		out, err = s.command(tx, conv, st, core.MessageEvent{Place: a.Place, Sender: a.Sender, At: a.At}, line)
		return err
	})
	return core.ActionResult{Text: out}, err
}

// customerHelp is what a customer can do.
const customerHelp = "Just write here: a person from our team reads every message and answers in this chat. You can send text, photos and files."

// customerAction answers the commands a customer may use.
func (s *Service) customerAction(a core.ActionEvent) core.ActionResult {
	switch strings.ToLower(a.Name) {
	case "start":
		if s.cfg.Greeting != "" {
			return core.ActionResult{Text: s.cfg.Greeting}
		}
		return core.ActionResult{Text: customerHelp}
	case "help":
		return core.ActionResult{Text: customerHelp}
	}
	return core.ActionResult{Text: "Unknown command. " + customerHelp}
}
