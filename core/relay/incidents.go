package relay

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"cornershop/core"
)

// Incidents configures incidents: one problem many customers have at once,
// with its own desk thread whose messages reach every linked customer.
type Incidents struct {
	// Desk names the desk incident threads open in; "" is the first desk.
	Desk string
	// AutoLink links a new conversation that matches an open incident's
	// keywords without asking; otherwise its thread offers a button.
	AutoLink bool
	// Broadcast are public places (a channel, a group) that get each
	// incident's status as one post, edited in place with its updates.
	Broadcast []core.Place
}

// incidentDesk returns the desk incident threads open in.
func (s *Service) incidentDesk() (Desk, bool) {
	for _, d := range s.cfg.Desks {
		if s.cfg.Incidents.Desk == "" || d.Name == s.cfg.Incidents.Desk {
			return d, true
		}
	}
	return Desk{}, false
}

// cmdIncident runs "!incident …" in a conversation's thread:
//
//	new <title> | <N> | unlink | resolve [message] |
//	<N> state <s> | <N> keywords <k, …> | <N> failures | <N> resolve [message]
func cmdIncident(c *invocation) (string, error) {
	verb, rest, _ := strings.Cut(c.args, " ")
	rest = strings.TrimSpace(rest)
	switch strings.ToLower(verb) {
	case "":
		return "", errUsage
	case "new":
		if rest == "" {
			return "", errUsage
		}
		return c.s.newIncident(c, rest)
	case "unlink":
		return c.s.unlinkIncident(c)
	case "resolve":
		l, err := c.tx.IncidentOf(c.conv.ID)
		if errors.Is(err, core.ErrNotFound) {
			return c.say(fmt.Sprintf("This conversation is linked to no incident: %sincident <number> resolve.", c.s.cfg.CommandPrefix))
		}
		if err != nil {
			return "", fmt.Errorf("incident of conversation: %w", err)
		}
		return c.s.incidentVerb(c.incidentCall(l.Incident), "resolve", rest)
	}
	n, err := strconv.ParseInt(strings.TrimPrefix(verb, "#"), 10, 64)
	if err != nil || n <= 0 {
		return "", errUsage
	}
	id := core.IncidentID(n)
	if rest == "" {
		return c.s.linkIncident(c, id)
	}
	sub, more, _ := strings.Cut(rest, " ")
	return c.s.incidentVerb(c.incidentCall(id), strings.ToLower(sub), strings.TrimSpace(more))
}

// cmdIncidents lists the open incidents.
func cmdIncidents(c *invocation) (string, error) {
	open, err := c.tx.OpenIncidents()
	if err != nil {
		return "", fmt.Errorf("list incidents: %w", err)
	}
	if len(open) == 0 {
		return c.say("No open incidents.")
	}
	var b strings.Builder
	b.WriteString("Open incidents:")
	for _, i := range open {
		ls, err := c.tx.IncidentLinks(i.ID)
		if err != nil {
			return "", fmt.Errorf("incident links: %w", err)
		}
		fmt.Fprintf(&b, "\n#%d %s — %s, %d linked", i.ID, clip(i.Title, 80), i.State, len(ls))
	}
	fmt.Fprintf(&b, "\nLink this conversation with %sincident <number>.", c.s.cfg.CommandPrefix)
	return c.say(b.String())
}

// say answers the invoker in the conversation's thread.
func (c *invocation) say(msg string) (string, error) {
	return msg, c.s.systemNote(c.tx, c.conv, msg)
}

// incidentCall is one incident command: who runs it (zero staff: the
// system), on which incident, and where to answer: the conversation's
// thread it was typed in (inv), or, when inv is nil, the incident's own.
type incidentCall struct {
	s     *Service
	tx    core.Tx
	id    core.IncidentID
	staff core.Staff
	inv   *invocation
}

func (c *invocation) incidentCall(id core.IncidentID) incidentCall {
	return incidentCall{s: c.s, tx: c.tx, id: id, staff: c.staff, inv: c}
}

// actor names who acts: the staff member, or "system" (auto-link).
func (ic incidentCall) actor() string {
	if ic.staff.ID == "" {
		return "system"
	}
	return "staff:" + string(ic.staff.ID)
}

// say answers where the command was typed.
func (ic incidentCall) say(inc core.Incident, msg string) (string, error) {
	if ic.inv != nil {
		return ic.inv.say(msg)
	}
	return msg, ic.s.incidentPost(ic.tx, inc, msg)
}

func (ic incidentCall) audit(action, detail string) error {
	err := ic.tx.Audit(core.AuditEntry{At: ic.s.now(), Actor: ic.actor(), Action: "incident." + action, Object: ic.id.String(), Detail: detail})
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	return nil
}

// incidentVerb runs a verb on incident ic.id: state, keywords, failures,
// resolve, undo.
func (s *Service) incidentVerb(ic incidentCall, verb, args string) (string, error) {
	inc, err := ic.tx.Incident(ic.id)
	if errors.Is(err, core.ErrNotFound) {
		msg := fmt.Sprintf("No incident #%d.", ic.id)
		if ic.inv != nil {
			return ic.inv.say(msg)
		}
		return msg, nil
	}
	if err != nil {
		return "", fmt.Errorf("load incident: %w", err)
	}
	p := s.cfg.CommandPrefix
	if inc.State == core.IncidentResolved && verb != "failures" {
		return ic.say(inc, fmt.Sprintf("Incident #%d is resolved already.", inc.ID))
	}
	switch verb {
	case "state":
		st := core.IncidentState(strings.ToLower(args))
		if !st.Valid() || st == core.IncidentResolved || st == core.IncidentInvestigating && inc.State == st {
			return ic.say(inc, fmt.Sprintf("Usage: %sincident %d state identified|monitoring|investigating (or resolve)", p, inc.ID))
		}
		if err := ic.tx.UpdateIncident(inc.ID, core.IncidentPatch{State: &st}, s.now()); err != nil {
			return "", fmt.Errorf("set incident state: %w", err)
		}
		if err := ic.audit("state", string(st)); err != nil {
			return "", err
		}
		inc.State = st
		if err := s.broadcastAt(ic.tx, inc); err != nil {
			return "", err
		}
		msg := fmt.Sprintf("🔎 Incident #%d is now %s (set by %s).", inc.ID, st, ic.staff.Voice.Name)
		if err := s.incidentPost(ic.tx, inc, msg); err != nil {
			return "", err
		}
		if err := s.incidentCard(ic.tx, inc); err != nil {
			return "", err
		}
		if ic.inv != nil {
			return ic.inv.say(msg)
		}
		return msg, nil
	case "keywords", "keyword":
		var ks []string
		for k := range strings.SplitSeq(args, ",") {
			if k = strings.TrimSpace(k); k != "" && !slices.Contains(ks, k) {
				ks = append(ks, clip(k, 60))
			}
		}
		if len(ks) == 0 || len(ks) > 20 {
			return ic.say(inc, fmt.Sprintf("Usage: %sincident %d keywords refund, payment failed (at most 20)", p, inc.ID))
		}
		if err := ic.tx.UpdateIncident(inc.ID, core.IncidentPatch{Keywords: &ks}, s.now()); err != nil {
			return "", fmt.Errorf("set incident keywords: %w", err)
		}
		if err := ic.audit("keywords", strings.Join(ks, ", ")); err != nil {
			return "", err
		}
		inc.Keywords = ks
		if err := s.incidentCard(ic.tx, inc); err != nil {
			return "", err
		}
		return ic.say(inc, fmt.Sprintf("🔑 Incident #%d keywords: %s. New conversations that match are suggested for linking.", inc.ID, strings.Join(ks, ", ")))
	case "failures":
		return s.incidentFailures(ic, inc)
	case "resolve":
		return s.resolveIncident(ic, inc, args)
	case "undo":
		return s.undoIncidentUpdate(ic, inc)
	}
	return ic.say(inc, fmt.Sprintf("Usage: %sincident %d state <identified|monitoring> | keywords <a, b> | failures | resolve [final message]", p, inc.ID))
}

// newIncident opens incident #N from a conversation and links it.
func (s *Service) newIncident(c *invocation, title string) (string, error) {
	desk, ok := s.incidentDesk()
	if !ok {
		return c.say("No desk is configured for incidents (incidents.desk).")
	}
	if _, err := c.tx.IncidentOf(c.conv.ID); err == nil {
		return c.say(fmt.Sprintf("This conversation is linked to an incident already: %sincident unlink first.", s.cfg.CommandPrefix))
	} else if !errors.Is(err, core.ErrNotFound) {
		return "", fmt.Errorf("incident of conversation: %w", err)
	}
	inc := core.Incident{Title: clip(title, 200), State: core.IncidentInvestigating, Desk: desk.Place, Opener: c.actor(), CreatedAt: c.now, UpdatedAt: c.now}
	if err := c.tx.CreateIncident(&inc); err != nil {
		return "", fmt.Errorf("create incident: %w", err)
	}
	ic := c.incidentCall(inc.ID)
	if err := ic.audit("open", inc.Title); err != nil {
		return "", err
	}
	if err := s.enqueue(c.tx, core.Delivery{Key: fmt.Sprintf("incident:%d:open", inc.ID), Incident: inc.ID, Op: core.OpOpenThread,
		Side: core.DeskSide, Platform: desk.Place.Platform, Lane: incidentLane(inc.ID)}); err != nil {
		return "", err
	}
	if err := s.incidentPost(c.tx, inc, fmt.Sprintf("🚨 Opened by %s from conversation #%d. Everything written here (not // notes, not commands) goes to every linked customer in your voice.",
		c.staff.Voice.Name, c.conv.ID)); err != nil {
		return "", err
	}
	return s.link(ic, inc, c.conv, fmt.Sprintf("🚨 Incident #%d opened by %s: %s — this conversation is linked.", inc.ID, c.staff.Voice.Name, inc.Title))
}

// linkIncident links the conversation to incident id.
func (s *Service) linkIncident(c *invocation, id core.IncidentID) (string, error) {
	inc, err := c.tx.Incident(id)
	if errors.Is(err, core.ErrNotFound) {
		return c.say(fmt.Sprintf("No incident #%d. Open ones: %sincidents", id, s.cfg.CommandPrefix))
	}
	if err != nil {
		return "", fmt.Errorf("load incident: %w", err)
	}
	if inc.State == core.IncidentResolved {
		return c.say(fmt.Sprintf("Incident #%d is resolved.", id))
	}
	switch l, err := c.tx.IncidentOf(c.conv.ID); {
	case err == nil && l.Incident == id:
		return c.say(fmt.Sprintf("Already linked to incident #%d.", id))
	case err == nil:
		return c.say(fmt.Sprintf("This conversation is linked to incident #%d: %sincident unlink first.", l.Incident, s.cfg.CommandPrefix))
	case !errors.Is(err, core.ErrNotFound):
		return "", fmt.Errorf("incident of conversation: %w", err)
	}
	return s.link(c.incidentCall(id), inc, c.conv, fmt.Sprintf("🔗 Linked to incident #%d (%s) by %s.", inc.ID, inc.Title, c.staff.Voice.Name))
}

// link records the link, sends the latest update at once (catch-up), and
// says so in both threads.
func (s *Service) link(ic incidentCall, inc core.Incident, conv core.Conversation, say string) (string, error) {
	now := s.now()
	if err := ic.tx.LinkIncident(core.IncidentLink{Incident: inc.ID, Conversation: conv.ID, LinkedBy: ic.actor(), LinkedAt: now}); err != nil {
		return "", fmt.Errorf("link incident: %w", err)
	}
	if err := ic.audit("link", conv.ID.String()); err != nil {
		return "", err
	}
	caught, err := s.catchUp(ic.tx, inc, conv)
	if err != nil {
		return "", err
	}
	if caught {
		say += " The latest update is on its way to the customer."
	}
	if err := s.systemNote(ic.tx, conv, say); err != nil {
		return "", err
	}
	if err := s.cardUpdate(ic.tx, conv); err != nil {
		return "", err
	}
	if err := s.incidentCard(ic.tx, inc); err != nil {
		return "", err
	}
	return say, nil
}

// unlinkIncident removes the conversation's link.
func (s *Service) unlinkIncident(c *invocation) (string, error) {
	id, err := c.tx.UnlinkIncident(c.conv.ID)
	if errors.Is(err, core.ErrNotFound) {
		return c.say("This conversation is linked to no incident.")
	}
	if err != nil {
		return "", fmt.Errorf("unlink incident: %w", err)
	}
	ic := c.incidentCall(id)
	if err := ic.audit("unlink", c.conv.ID.String()); err != nil {
		return "", err
	}
	inc, err := c.tx.Incident(id)
	if err != nil {
		return "", fmt.Errorf("load incident: %w", err)
	}
	if err := s.incidentCard(c.tx, inc); err != nil {
		return "", err
	}
	if err := s.cardUpdate(c.tx, c.conv); err != nil {
		return "", err
	}
	return c.say(fmt.Sprintf("⛓️‍💥 Unlinked from incident #%d by %s: its updates no longer reach this customer.", id, c.staff.Voice.Name))
}

// incidentThreadMessage is a message in an incident's own thread: a note
// stays there, a command acts on the incident, anything else from staff is
// an update for every linked customer.
func (s *Service) incidentThreadMessage(tx core.Tx, inc core.Incident, st core.Staff, isStaff bool, e core.MessageEvent) error {
	if !isStaff {
		return nil // the team's own talk, or a bot: never relayed
	}
	first, err := tx.MarkHandled(e.Place.Platform, fmt.Sprintf("incident-msg:%s/%s", e.Place.Chat, e.ID), s.now())
	if err != nil || !first {
		return err // a repeat of an event already recorded
	}
	text := strings.TrimSpace(e.Text)
	if _, ok := cutPrefix(text, s.cfg.NotePrefix); ok {
		return nil // internal: it stays in the thread
	}
	ic := incidentCall{s: s, tx: tx, id: inc.ID, staff: st}
	if rest, ok := cutPrefix(text, s.cfg.CommandPrefix); ok && rest != "" {
		verb, args, _ := strings.Cut(rest, " ")
		verb = strings.ToLower(verb)
		if verb == "incident" {
			// "!incident 3 state identified" typed here too: the number
			// is implied.
			args = strings.TrimSpace(args)
			if n, more, _ := strings.Cut(args, " "); strings.TrimPrefix(n, "#") == strconv.FormatInt(int64(inc.ID), 10) {
				args = more
			}
			verb, args, _ = strings.Cut(strings.TrimSpace(args), " ")
		}
		_, err := s.incidentVerb(ic, strings.ToLower(verb), strings.TrimSpace(args))
		return err
	}
	if inc.State == core.IncidentResolved {
		return s.incidentPost(tx, inc, "This incident is resolved: nothing was sent.")
	}
	_, err = s.incidentUpdate(ic, inc, text, e.Attachments, false)
	return err
}

// incidentThread handles a desk message in a thread that is no
// conversation's: an incident's thread, or one cornershop did not open.
func (s *Service) incidentThread(tx core.Tx, st core.Staff, isStaff bool, e core.MessageEvent) error {
	inc, err := tx.IncidentByThread(e.Place)
	if errors.Is(err, core.ErrNotFound) {
		return nil // a thread cornershop did not open
	}
	if err != nil {
		return fmt.Errorf("find incident by thread: %w", err)
	}
	return s.incidentThreadMessage(tx, inc, st, isStaff, e)
}

// incidentAction runs a native command or button in a thread that is no
// conversation's: an incident's thread ("/incident resolve …" there acts
// on it), or one cornershop did not open.
func (s *Service) incidentAction(tx core.Tx, st core.Staff, a core.ActionEvent) (string, error) {
	inc, err := tx.IncidentByThread(a.Place)
	if errors.Is(err, core.ErrNotFound) {
		return "This thread is not a cornershop conversation.", nil
	}
	if err != nil {
		return "", fmt.Errorf("find incident by thread: %w", err)
	}
	args := slices.Clone(a.Args)
	verb := strings.ToLower(a.Name)
	if verb == "incident" && len(args) > 0 && strings.TrimPrefix(args[0], "#") == strconv.FormatInt(int64(inc.ID), 10) {
		args = args[1:]
	}
	if verb == "incident" && len(args) > 0 {
		verb, args = strings.ToLower(args[0]), args[1:]
	}
	ic := incidentCall{s: s, tx: tx, id: inc.ID, staff: st}
	return s.incidentVerb(ic, verb, strings.Join(args, " "))
}
