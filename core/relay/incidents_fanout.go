package relay

import (
	"crypto/rand"
	"errors"
	"fmt"
	"hash/fnv"
	"strings"
	"time"

	"cornershop/core"
)

// incidentLane orders an incident thread's own operations (open, card,
// lines): one at a time, the thread first.
func incidentLane(id core.IncidentID) string { return fmt.Sprintf("incident%d", int64(id)) }

// incidentUpdate records an update once and copies it into every linked
// conversation, in one transaction: a kill at any instant leaves either
// all of the fan-out queued or none of it.
func (s *Service) incidentUpdate(ic incidentCall, inc core.Incident, text string, files []core.Attachment, final bool) (core.IncidentUpdate, error) {
	if strings.TrimSpace(text) == "" && len(files) == 0 {
		return core.IncidentUpdate{}, nil
	}
	asTeam, err := ic.tx.StaffPrefersTeam(ic.staff.ID)
	if err != nil {
		return core.IncidentUpdate{}, fmt.Errorf("staff voice preference: %w", err)
	}
	now := s.now()
	u := core.IncidentUpdate{Incident: inc.ID, Author: ic.actor(), AuthorName: ic.staff.Voice.Name, Text: text, AsTeam: asTeam, Final: final, CreatedAt: now}
	if err := ic.tx.CreateIncidentUpdate(&u); err != nil {
		return u, fmt.Errorf("record incident update: %w", err)
	}
	links, err := ic.tx.IncidentLinks(inc.ID)
	if err != nil {
		return u, fmt.Errorf("incident links: %w", err)
	}
	due := now.Add(s.cfg.UndoWindow)
	for _, l := range links {
		if err := s.incidentCopy(ic.tx, inc, u, l.Conversation, files, due); err != nil {
			return u, err
		}
	}
	if err := ic.audit("update", fmt.Sprintf("update %d to %d conversations", u.ID, len(links))); err != nil {
		return u, err
	}
	msg := fmt.Sprintf("📣 Update from %s queued for %d linked customer(s).", ic.staff.Voice.Name, len(links))
	if s.cfg.UndoWindow > 0 && len(links) > 0 {
		msg += fmt.Sprintf(" It leaves in %s — %sundo here to take it back.", s.cfg.UndoWindow, s.cfg.CommandPrefix)
	}
	if err := s.incidentPost(ic.tx, inc, msg); err != nil {
		return u, err
	}
	if err := s.broadcastAt(ic.tx, inc); err != nil {
		return u, err
	}
	return u, s.incidentCard(ic.tx, inc)
}

// incidentCopy records update u as a reply of conversation conv, due at
// due, in the fan-out's own lane below replies. The copy is an ordinary
// reply message, so voice, formatting, edits and failure notes work as
// for any reply.
func (s *Service) incidentCopy(tx core.Tx, inc core.Incident, u core.IncidentUpdate, conv core.ConversationID, files []core.Attachment, due time.Time) error {
	c, err := tx.Conversation(conv)
	if err != nil {
		return fmt.Errorf("load linked conversation: %w", err)
	}
	m := core.Message{ConversationID: c.ID, Direction: core.Reply, Author: u.Author, AuthorName: u.AuthorName, Text: u.Text,
		Attachments: files, AsTeam: u.AsTeam, CreatedAt: s.now()}
	if err := tx.CreateMessage(&m); err != nil {
		return fmt.Errorf("record incident copy: %w", err)
	}
	if err := tx.AddIncidentCopy(core.IncidentCopy{Update: u.ID, Incident: inc.ID, Conversation: c.ID, Message: m.ID}); err != nil {
		return fmt.Errorf("record incident copy: %w", err)
	}
	// Its own lane per conversation: a reply queued meanwhile for the same
	// customer does not wait for the fan-out to reach them.
	return s.enqueueAt(tx, core.Delivery{
		Key: fmt.Sprintf("send:customer:%d", m.ID), ConversationID: c.ID, MessageID: m.ID,
		Op: core.OpSend, Side: core.CustomerSide, Platform: c.Customer.Platform,
		Lane: fmt.Sprintf("incident:c%d", int64(c.ID)), Priority: core.PriorityBulk, NextAttemptAt: due,
	})
}

// catchUp sends a newly linked conversation the incident's latest update,
// when it has one and has not had it. It reports whether it queued one.
func (s *Service) catchUp(tx core.Tx, inc core.Incident, conv core.Conversation) (bool, error) {
	u, err := tx.LatestIncidentUpdate(inc.ID)
	if errors.Is(err, core.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("latest incident update: %w", err)
	}
	// While the update is still held by the undo window, its copy waits
	// with the others (and is taken back with them).
	due := s.now()
	if held := u.CreatedAt.Add(s.cfg.UndoWindow); held.After(due) {
		due = held
	}
	err = s.incidentCopy(tx, inc, u, conv.ID, nil, due)
	if errors.Is(err, core.ErrDuplicate) {
		return false, nil // linked before, unlinked, linked again: had it
	}
	return err == nil, err
}

// sentLine runs when a reply reached its customer: an incident copy
// leaves one line in the conversation's desk thread.
func (s *Service) sentLine(tx core.Tx, conv core.Conversation, m core.Message) error {
	if m.Direction != core.Reply {
		return nil
	}
	c, err := tx.IncidentCopyOf(m.ID)
	if errors.Is(err, core.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("incident copy: %w", err)
	}
	line := core.Message{ConversationID: conv.ID, Direction: core.System, Author: "system",
		Text: fmt.Sprintf("📣 Update from %s sent (incident #%d)", m.AuthorName, c.Incident), CreatedAt: s.now()}
	if err := tx.CreateMessage(&line); err != nil {
		return fmt.Errorf("record incident line: %w", err)
	}
	// In a lane of its own, below replies: thousands of these must not
	// hold back the desk thread's own posts.
	return s.enqueue(tx, core.Delivery{
		Key: fmt.Sprintf("send:desk:%d", line.ID), ConversationID: conv.ID, MessageID: line.ID,
		Op: core.OpSend, Side: core.DeskSide, Platform: conv.Desk.Platform,
		Lane: fmt.Sprintf("incident:d%d", int64(conv.ID)), Priority: core.PriorityBulk,
	})
}

// undoIncidentUpdate takes back the incident's latest update while the
// undo window holds it.
func (s *Service) undoIncidentUpdate(ic incidentCall, inc core.Incident) (string, error) {
	u, err := ic.tx.LatestIncidentUpdate(inc.ID)
	if err != nil && !errors.Is(err, core.ErrNotFound) {
		return "", fmt.Errorf("latest incident update: %w", err)
	}
	if err != nil || !u.CreatedAt.Add(s.cfg.UndoWindow).After(s.now()) {
		return ic.say(inc, "Nothing to take back: the last update has already left.")
	}
	n, err := ic.tx.UndoIncidentUpdate(u.ID, s.now())
	if err != nil {
		return "", fmt.Errorf("undo incident update: %w", err)
	}
	if err := ic.audit("undo", fmt.Sprintf("update %d, %d copies", u.ID, n)); err != nil {
		return "", err
	}
	if err := s.broadcastAt(ic.tx, inc); err != nil {
		return "", err
	}
	if err := s.incidentCard(ic.tx, inc); err != nil {
		return "", err
	}
	return ic.say(inc, fmt.Sprintf("↩️ Update taken back before it left: %q (%d copies cancelled).", clip(u.Text, 80), n))
}

// resolveIncident sends the final message (if any), closes every linked
// conversation with no personal staff reply since its link, and lists the
// others, which stay open.
func (s *Service) resolveIncident(ic incidentCall, inc core.Incident, final string) (string, error) {
	if final != "" {
		if _, err := s.incidentUpdate(ic, inc, final, nil, true); err != nil {
			return "", err
		}
	}
	links, err := ic.tx.IncidentLinks(inc.ID)
	if err != nil {
		return "", fmt.Errorf("incident links: %w", err)
	}
	now := s.now()
	var closed int
	var kept []string
	for _, l := range links {
		// A reply is stamped with its platform's time, which Telegram
		// gives in whole seconds, while the link is stamped with ours: a
		// reply in the link's own second counts (kept open rather than
		// closed with a personal reply unseen).
		n, err := ic.tx.PersonalReplies(l.Conversation, l.LinkedAt.Truncate(time.Second).Add(-time.Nanosecond))
		if err != nil {
			return "", fmt.Errorf("personal replies: %w", err)
		}
		conv, err := ic.tx.Conversation(l.Conversation)
		if err != nil {
			return "", fmt.Errorf("load linked conversation: %w", err)
		}
		if n > 0 {
			kept = append(kept, fmt.Sprintf("#%d", conv.ID))
			if err := s.systemNote(ic.tx, conv, fmt.Sprintf("✅ Incident #%d resolved. This conversation stays open: it has a personal reply.", inc.ID)); err != nil {
				return "", err
			}
			continue
		}
		if conv.Status != core.StatusClosed {
			if err := s.closeForIncident(ic.tx, conv, inc, now); err != nil {
				return "", err
			}
		}
		closed++
	}
	resolved := core.IncidentResolved
	if err := ic.tx.UpdateIncident(inc.ID, core.IncidentPatch{State: &resolved, ResolvedAt: &now}, now); err != nil {
		return "", fmt.Errorf("resolve incident: %w", err)
	}
	if err := ic.audit("resolve", fmt.Sprintf("closed %d, kept open %d", closed, len(kept))); err != nil {
		return "", err
	}
	inc.State, inc.ResolvedAt = resolved, now
	if err := s.broadcastAt(ic.tx, inc); err != nil {
		return "", err
	}
	msg := fmt.Sprintf("✅ Incident #%d resolved by %s: %d conversation(s) closed.", inc.ID, ic.staff.Voice.Name, closed)
	if len(kept) > 0 {
		msg += fmt.Sprintf(" Kept open (personal replies since their link): %s.", strings.Join(kept, ", "))
	}
	if err := s.incidentCard(ic.tx, inc); err != nil {
		return "", err
	}
	if ic.inv != nil {
		if err := s.incidentPost(ic.tx, inc, msg); err != nil {
			return "", err
		}
	}
	return ic.say(inc, msg)
}

// closeForIncident closes a linked conversation when its incident is
// resolved; a customer who writes afterwards reopens it as usual.
func (s *Service) closeForIncident(tx core.Tx, conv core.Conversation, inc core.Incident, now time.Time) error {
	closed := core.StatusClosed
	if err := tx.UpdateConversation(conv.ID, core.ConversationPatch{Status: &closed, ClosedAt: &now}, now); err != nil {
		return fmt.Errorf("close linked conversation: %w", err)
	}
	if err := s.stopClock(tx, conv.ID, "close"); err != nil {
		return err
	}
	if err := tx.Audit(core.AuditEntry{At: now, Actor: "system", Action: "close", Object: conv.ID.String(), Detail: inc.ID.String() + " resolved"}); err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	conv.Status = closed
	if err := s.systemNote(tx, conv, fmt.Sprintf("✅ Closed: incident #%d is resolved.", inc.ID)); err != nil {
		return err
	}
	return s.cardUpdate(tx, conv)
}

// incidentFailures lists the conversations the latest update failed to
// reach.
func (s *Service) incidentFailures(ic incidentCall, inc core.Incident) (string, error) {
	u, err := ic.tx.LatestIncidentUpdate(inc.ID)
	if errors.Is(err, core.ErrNotFound) {
		return ic.say(inc, fmt.Sprintf("Incident #%d has no update yet.", inc.ID))
	}
	if err != nil {
		return "", fmt.Errorf("latest incident update: %w", err)
	}
	ids, err := ic.tx.IncidentFailures(u.ID, 50)
	if err != nil {
		return "", fmt.Errorf("incident failures: %w", err)
	}
	if len(ids) == 0 {
		return ic.say(inc, fmt.Sprintf("The latest update of incident #%d failed nowhere.", inc.ID))
	}
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = fmt.Sprintf("#%d", id)
	}
	return ic.say(inc, fmt.Sprintf("The latest update of incident #%d did not reach conversations %s (each thread says why; %sretry there sends it again).",
		inc.ID, strings.Join(names, ", "), s.cfg.CommandPrefix))
}

// incidentPost queues a line by cornershop in the incident's thread.
func (s *Service) incidentPost(tx core.Tx, inc core.Incident, text string) error {
	now := s.now()
	h := fnv.New32a()
	h.Write([]byte(text))
	key := fmt.Sprintf("incident:%d:post:%d:%x", inc.ID, now.UnixNano(), h.Sum32())
	if err := tx.SaveIncidentPost(core.IncidentPost{Key: key, Incident: inc.ID, Text: text, CreatedAt: now}); err != nil {
		if errors.Is(err, core.ErrDuplicate) {
			return nil // the same line at the same instant: once is enough
		}
		return fmt.Errorf("save incident line: %w", err)
	}
	return s.enqueue(tx, core.Delivery{Key: key, Incident: inc.ID, Op: core.OpSend, Side: core.DeskSide,
		Platform: inc.Desk.Platform, Lane: incidentLane(inc.ID)})
}

// incidentCard queues a render of the incident's card (each request its
// own: renders read the incident afresh, and one queued behind another
// makes the first skip). Renders have a lane of their own, so that only a
// later render, not a line queued in the thread, makes one skip.
func (s *Service) incidentCard(tx core.Tx, inc core.Incident) error {
	return s.enqueue(tx, core.Delivery{Key: fmt.Sprintf("incident:%d:card:%s", inc.ID, rand.Text()), Incident: inc.ID, Op: core.OpUpdateCard, Side: core.DeskSide,
		Platform: inc.Desk.Platform, Lane: incidentLane(inc.ID) + ":card"})
}
