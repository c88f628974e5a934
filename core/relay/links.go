package relay

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	"cornershop/core"
)

// linkCodeTTL is how long a customer's /link code stays valid.
const linkCodeTTL = 15 * time.Minute

func parseContact(arg string) (core.ContactID, bool) {
	arg = strings.TrimPrefix(strings.TrimPrefix(strings.TrimSpace(arg), "contact"), "#")
	n, err := strconv.ParseInt(arg, 10, 64)
	return core.ContactID(n), err == nil && n > 0
}

func cmdLink(c *invocation) (string, error) {
	other, ok := parseContact(c.args)
	if !ok {
		return "", errUsage
	}
	err := c.tx.MergeContacts(other, c.conv.ContactID, c.actor(), c.now)
	if errors.Is(err, core.ErrNotFound) || errors.Is(err, core.ErrInvalid) {
		msg := fmt.Sprintf("Cannot link contact %d here: no such other contact.", other)
		return msg, c.s.systemNote(c.tx, c.conv, msg)
	}
	if err != nil {
		return "", fmt.Errorf("link contacts: %w", err)
	}
	if err := c.tx.Audit(core.AuditEntry{At: c.now, Actor: c.actor(), Action: "link", Object: c.conv.ContactID.String(), Detail: other.String()}); err != nil {
		return "", fmt.Errorf("audit: %w", err)
	}
	msg := fmt.Sprintf("🔗 %s linked contact %d into this one: their accounts and conversations now show here. %sunlink %d undoes it.", c.staff.Voice.Name, other, c.s.cfg.CommandPrefix, other)
	if err := c.s.systemNote(c.tx, c.conv, msg); err != nil {
		return "", err
	}
	return msg, c.s.cardUpdate(c.tx, c.conv)
}

func cmdUnlink(c *invocation) (string, error) {
	other, ok := parseContact(c.args)
	if !ok {
		return "", errUsage
	}
	into, err := c.tx.UnmergeContact(other, c.now)
	if errors.Is(err, core.ErrNotFound) {
		msg := fmt.Sprintf("Contact %d is not linked to anyone.", other)
		return msg, c.s.systemNote(c.tx, c.conv, msg)
	}
	if err != nil {
		return "", fmt.Errorf("unlink contacts: %w", err)
	}
	if err := c.tx.Audit(core.AuditEntry{At: c.now, Actor: c.actor(), Action: "unlink", Object: into.String(), Detail: other.String()}); err != nil {
		return "", fmt.Errorf("audit: %w", err)
	}
	msg := fmt.Sprintf("⛓️‍💥 %s unlinked contact %d: it stands alone again.", c.staff.Voice.Name, other)
	if err := c.s.systemNote(c.tx, c.conv, msg); err != nil {
		return "", err
	}
	return msg, c.s.cardUpdate(c.tx, c.conv)
}

// customerHelp is what a customer can do.
const customerHelp = "Just write here: a person from our team reads every message and answers in this chat. You can send text, photos and files. Use /link to connect your accounts on other apps. Ask /help <question> to find an answer yourself. Share an idea with /idea <title> — <details>; see them with /ideas (/ideas mute stops news about them)."

// customerAction answers the commands a customer may use.
func (s *Service) customerAction(ctx context.Context, a *action) (core.ActionResult, error) {
	switch strings.ToLower(a.Name) {
	case "start":
		if s.cfg.Greeting != "" {
			return core.ActionResult{Text: s.cfg.Greeting}, nil
		}
		return core.ActionResult{Text: customerHelp}, nil
	case "help":
		if len(a.Args) > 0 {
			return s.customerHelpSearch(ctx, a)
		}
		return core.ActionResult{Text: customerHelp}, nil
	case actAnswer:
		return s.showAnswer(ctx, a)
	case actSolved:
		return s.decide(ctx, a, core.SuggestionSolved)
	case actPerson:
		return s.decide(ctx, a, core.SuggestionPerson)
	case "link":
		return s.customerLink(ctx, a)
	case "idea":
		return s.customerIdea(ctx, a)
	case "ideas":
		return s.customerIdeas(ctx, a)
	case "vote":
		return s.vote(ctx, a)
	case "csat":
		return s.rate(ctx, a)
	case "forget":
		return s.customerForget(ctx, a)
	}
	return core.ActionResult{Text: "Unknown command. " + customerHelp}, nil
}

// customerLink lets a customer connect their accounts: /link alone gives a
// one-time code; /link CODE on another platform merges this account into
// the one that asked for the code.
func (s *Service) customerLink(ctx context.Context, a *action) (core.ActionResult, error) {
	var out string
	err := a.do(ctx, func(tx core.Tx) error {
		me, err := s.contactFor(tx, a.Place.Platform, a.Sender)
		if err != nil {
			return err
		}
		now := s.now()
		if len(a.Args) == 0 {
			code, err := linkCode()
			if err != nil {
				return err
			}
			if err := tx.SaveLinkCode(me.ID, code, now.Add(linkCodeTTL)); err != nil {
				return fmt.Errorf("save link code: %w", err)
			}
			out = fmt.Sprintf("Your link code is %s. Within %d minutes, send /link %s to us from your other account.", code, int(linkCodeTTL.Minutes()), code)
			return nil
		}
		owner, err := tx.TakeLinkCode(strings.TrimSpace(a.Args[0]), now)
		if errors.Is(err, core.ErrNotFound) {
			out = "That code is unknown or expired. Send /link on your other account for a new one."
			return nil
		}
		if err != nil {
			return fmt.Errorf("take link code: %w", err)
		}
		if owner == me.ID {
			out = "These accounts are already linked."
			return nil
		}
		if err := tx.MergeContacts(me.ID, owner, fmt.Sprintf("contact:%d", me.ID), now); err != nil {
			return fmt.Errorf("link accounts: %w", err)
		}
		if err := tx.Audit(core.AuditEntry{At: now, Actor: fmt.Sprintf("contact:%d", me.ID), Action: "link", Object: owner.String(), Detail: me.ID.String() + " by code"}); err != nil {
			return fmt.Errorf("audit: %w", err)
		}
		out = "Linked! We will recognise you on both accounts from now on."
		return nil
	})
	return core.ActionResult{Text: out}, err
}

// linkCode returns six random digits.
func linkCode() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", fmt.Errorf("link code: %w", err)
	}
	return fmt.Sprintf("%06d", n.Int64()), nil
}
