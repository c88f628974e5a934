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

// command is one desk command: what it is called, who may run it and what
// it does. Each runs inside the transaction that records it, so a command
// either happens whole, audit entry included, or not at all.
type command struct {
	name    string
	aliases []string
	role    core.Role
	args    string // argument synopsis for usage, "" when none
	help    string
	run     func(c *invocation) (string, error)
}

// invocation is one run of a command.
type invocation struct {
	s     *Service
	tx    core.Tx
	conv  core.Conversation
	staff core.Staff
	event core.MessageEvent
	args  string
	now   time.Time
}

func (c *invocation) actor() string { return "staff:" + string(c.staff.ID) }

func (c *invocation) audit(action, detail string) error {
	if err := c.tx.Audit(core.AuditEntry{At: c.now, Actor: c.actor(), Action: action, Object: c.conv.ID.String(), Detail: detail}); err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	return nil
}

// update applies p, audits it, says so in the thread and refreshes the card.
func (c *invocation) update(p core.ConversationPatch, action, detail, say string) (string, error) {
	if err := c.tx.UpdateConversation(c.conv.ID, p, c.now); err != nil {
		return "", fmt.Errorf("%s: %w", action, err)
	}
	if err := c.audit(action, detail); err != nil {
		return "", err
	}
	if err := c.s.systemNote(c.tx, c.conv, say); err != nil {
		return "", err
	}
	return say, c.s.cardUpdate(c.tx, c.conv)
}

// errUsage marks a command invoked with arguments it cannot use; the
// invoker gets the command's usage, and nothing is recorded.
var errUsage = errors.New("usage")

// commands is the desk's command set, in the order help lists them.
func commands() []command {
	return []command{
		{name: "close", role: core.RoleAgent, help: "close the conversation", run: cmdSetStatus(core.StatusClosed)},
		{name: "reopen", role: core.RoleAgent, help: "reopen it", run: cmdSetStatus(core.StatusOpen)},
		{name: "note", role: core.RoleAgent, args: "<text>", help: "an internal note (or start a message with the note prefix)", run: cmdNote},
		{name: "team", aliases: []string{"anon"}, role: core.RoleAgent, args: "<text>", help: "reply in the team's voice", run: cmdReply(true)},
		{name: "reply", aliases: []string{"send"}, role: core.RoleAgent, args: "<text>", help: "reply in your voice (in note mode)", run: cmdReply(false)},
		{name: "voice", role: core.RoleAgent, args: "<me|team>", help: "answer in your own voice (default) or the team's from now on", run: cmdVoice},
		{name: "undo", role: core.RoleAgent, help: "take back your last reply while it waits to leave", run: cmdUndo},
		{name: "retry", role: core.RoleAgent, help: "send the last failed reply again", run: cmdRetry},
		{name: "snippet", aliases: []string{"s"}, role: core.RoleAgent, args: "<name> | add <name> <text> | remove <name>", help: "send a snippet in your voice (no name: list them; add/remove: admins)", run: cmdSnippet},
		{name: "assign", role: core.RoleAgent, args: "<me|name>", help: "assign the conversation", run: cmdAssign},
		{name: "unassign", role: core.RoleAgent, help: "remove the assignee", run: cmdUnassign},
		{name: "tag", role: core.RoleAgent, args: "<tag>…", help: "add tags", run: cmdTag(true)},
		{name: "untag", role: core.RoleAgent, args: "<tag>…", help: "remove tags", run: cmdTag(false)},
		{name: "priority", role: core.RoleAgent, args: "<low|normal|high|urgent>", help: "set the priority", run: cmdPriority},
		{name: "snooze", role: core.RoleAgent, args: "<duration, e.g. 2h or 3d>", help: "hide until then; it comes back with a note", run: cmdSnooze},
		{name: "profile", role: core.RoleAgent, args: "[field [value]]", help: "show the contact's profile, or set (or with no value remove) a field", run: cmdProfile},
		{name: "card", role: core.RoleAgent, help: "show the contact card again", run: cmdCard},
		{name: "history", role: core.RoleAgent, help: "the contact's earlier conversations", run: cmdHistory},
		{name: "search", aliases: []string{"find"}, role: core.RoleAgent, args: "<words>", help: "find contacts and conversations by name, handle, profile or message text", run: cmdSearch},
		{name: "transcript", role: core.RoleAgent, help: "the whole conversation as text", run: cmdTranscript},
		{name: "link", role: core.RoleModerator, args: "<contact number>", help: "merge that contact into this one (undo with unlink)", run: cmdLink},
		{name: "unlink", role: core.RoleModerator, args: "<contact number>", help: "undo a link: that contact stands alone again", run: cmdUnlink},
		{name: "block", role: core.RoleModerator, args: "[reason]", help: "stop relaying this contact's messages", run: cmdBlock(true)},
		{name: "unblock", role: core.RoleModerator, help: "relay them again", run: cmdBlock(false)},
		{name: "audit", role: core.RoleModerator, help: "who did what to this conversation", run: cmdAudit},
		{name: "idea", role: core.RoleAgent, args: "<title> [— details] | <id> [" + ideaVerbs + "]", help: "record the customer's idea with their vote, or show or moderate one (moderators)", run: cmdIdea},
		{name: "ideas", role: core.RoleAgent, args: "[top|new|queue|hidden|<status>]", help: "list ideas", run: cmdIdeas},
		{name: "hours", role: core.RoleAgent, help: "this desk's business hours, and whether it is open now", run: cmdHours},
		{name: "answer", role: core.RoleAgent, args: "add <title> [— answer] | from <message link> | <id> [" + answerVerbs + "]", help: "publish your last reply (or the text after the title) as a self-help answer, or show or moderate one (moderators)", run: cmdAnswer},
		{name: "answers", role: core.RoleAgent, args: "[query]", help: "list or search the self-help answers", run: cmdAnswers},
		{name: "incident", role: core.RoleAgent, args: "new <title> | <number> | unlink | resolve [message] | <number> state|keywords|failures|resolve …", help: "open an incident from this conversation, link it to one, or act on one", run: cmdIncident},
		{name: "incidents", role: core.RoleAgent, help: "the open incidents", run: cmdIncidents},
		{name: "stats", role: core.RoleAgent, args: "[answers|listening] [period, e.g. 24h or 7d]", help: "response figures of this desk, of self-help answers or of listening", run: cmdStats},
		{name: "privacy", role: core.RoleAdmin, args: "export | erase [contact number]", help: "post everything held about this contact as a zip, or erase them everywhere (asks you to confirm with their number)", run: cmdPrivacy},
		{name: "help", role: core.RoleAgent, help: "this list", run: cmdHelp},
	}
}

func findCommand(name string) (command, bool) {
	name = strings.ToLower(name)
	for _, c := range commands() {
		if c.name == name || slices.Contains(c.aliases, name) {
			return c, true
		}
	}
	return command{}, false
}

func (s *Service) usage() string {
	var b strings.Builder
	b.WriteString("Commands:")
	for _, c := range commands() {
		fmt.Fprintf(&b, "\n%s%s", s.cfg.CommandPrefix, c.name)
		if c.args != "" {
			b.WriteString(" " + c.args)
		}
		b.WriteString(" — " + c.help)
		if c.role != core.RoleAgent {
			fmt.Fprintf(&b, " (%s)", c.role)
		}
	}
	fmt.Fprintf(&b, "\nStart a message with %s for an internal note.", s.cfg.NotePrefix)
	return b.String()
}

// command runs a desk text command (without its prefix) and returns what to
// tell the invoker. Unknown commands, missing rights and bad arguments are
// answered in the thread and change nothing.
func (s *Service) command(tx core.Tx, conv core.Conversation, st core.Staff, e core.MessageEvent, line string) (string, error) {
	name, rest, _ := strings.Cut(strings.TrimSpace(line), " ")
	cmd, ok := findCommand(name)
	if !ok {
		msg := fmt.Sprintf("Unknown command %q. Try %shelp.", name, s.cfg.CommandPrefix)
		return msg, s.systemNote(tx, conv, msg)
	}
	if !st.Can(cmd.role) {
		msg := fmt.Sprintf("⛔ %s%s needs the %s role.", s.cfg.CommandPrefix, cmd.name, cmd.role)
		return msg, s.systemNote(tx, conv, msg)
	}
	out, err := cmd.run(&invocation{s: s, tx: tx, conv: conv, staff: st, event: e, args: strings.TrimSpace(rest), now: s.now()})
	if errors.Is(err, errUsage) {
		msg := fmt.Sprintf("Usage: %s%s %s — %s", s.cfg.CommandPrefix, cmd.name, cmd.args, cmd.help)
		return msg, s.systemNote(tx, conv, msg)
	}
	return out, err
}

func cmdSetStatus(to core.Status) func(c *invocation) (string, error) {
	return func(c *invocation) (string, error) {
		if c.conv.Status == to {
			return "Already " + string(to) + ".", nil
		}
		p := core.ConversationPatch{Status: &to}
		say, action := fmt.Sprintf("↩️ Reopened by %s.", c.staff.Voice.Name), "reopen"
		if to == core.StatusClosed {
			p.ClosedAt = &c.now
			say, action = fmt.Sprintf("✅ Closed by %s.", c.staff.Voice.Name), "close"
			if err := c.s.stopClock(c.tx, c.conv.ID, "close"); err != nil {
				return "", err
			}
			if err := c.s.sendSurvey(c.tx, c.conv); err != nil {
				return "", err
			}
		}
		c.conv.Status = to
		return c.update(p, action, "", say)
	}
}

func cmdNote(c *invocation) (string, error) {
	if c.args == "" {
		return "", errUsage
	}
	return "Noted.", c.s.note(c.tx, c.conv, c.staff, c.event, c.args)
}

func cmdReply(asTeam bool) func(c *invocation) (string, error) {
	return func(c *invocation) (string, error) {
		if c.args == "" {
			return "", errUsage
		}
		if asTeam {
			if err := c.audit("reply_as_team", ""); err != nil {
				return "", err
			}
		}
		return "Sent.", c.s.reply(c.tx, c.conv, c.staff, c.event, c.args, asTeam)
	}
}

func cmdAssign(c *invocation) (string, error) {
	if c.args == "" {
		return "", errUsage
	}
	who, ok := c.s.findStaff(c.args, c.staff)
	if !ok {
		return fmt.Sprintf("No staff member matches %q.", c.args), c.s.systemNote(c.tx, c.conv, fmt.Sprintf("No staff member matches %q.", c.args))
	}
	return c.update(core.ConversationPatch{Assignee: &who.ID}, "assign", string(who.ID),
		fmt.Sprintf("👤 Assigned to %s by %s.", who.Voice.Name, c.staff.Voice.Name))
}

func cmdUnassign(c *invocation) (string, error) {
	none := core.StaffID("")
	return c.update(core.ConversationPatch{Assignee: &none}, "unassign", "", fmt.Sprintf("👤 Unassigned by %s.", c.staff.Voice.Name))
}

// findStaff matches "me", a staff id, a platform user id or mention, or the
// start of a display name, ignoring case and a leading @.
func (s *Service) findStaff(arg string, me core.Staff) (core.Staff, bool) {
	arg = strings.TrimSpace(arg)
	arg = strings.TrimSuffix(strings.TrimPrefix(arg, "<"), ">")
	arg = strings.TrimPrefix(strings.TrimPrefix(arg, "@"), "!")
	if strings.EqualFold(arg, "me") {
		return me, true
	}
	var byName []core.Staff
	for _, st := range s.cfg.Staff {
		if strings.EqualFold(string(st.ID), arg) {
			return st, true
		}
		for _, uid := range st.Identities {
			if uid == arg {
				return st, true
			}
		}
		if arg != "" && len(arg) <= len(st.Voice.Name) && strings.EqualFold(st.Voice.Name[:len(arg)], arg) {
			byName = append(byName, st)
		}
	}
	if len(byName) == 1 {
		return byName[0], true
	}
	return core.Staff{}, false
}

func cmdTag(add bool) func(c *invocation) (string, error) {
	return func(c *invocation) (string, error) {
		words := strings.Fields(strings.ReplaceAll(c.args, ",", " "))
		if len(words) == 0 {
			return "", errUsage
		}
		tags := slices.Clone(c.conv.Tags)
		for _, w := range words {
			w = strings.ToLower(strings.TrimPrefix(w, "#"))
			if add && !core.HasTag(tags, w) {
				tags = append(tags, w)
			}
			if !add {
				tags = slices.DeleteFunc(tags, func(t string) bool { return strings.EqualFold(t, w) })
			}
		}
		c.conv.Tags = tags
		action, verb := "tag", "Tagged"
		if !add {
			action, verb = "untag", "Untagged"
		}
		return c.update(core.ConversationPatch{Tags: &tags}, action, strings.Join(words, " "),
			fmt.Sprintf("🏷️ %s %s by %s. Tags: %s", verb, strings.Join(words, ", "), c.staff.Voice.Name, orNone(tags)))
	}
}

func orNone(tags []string) string {
	if len(tags) == 0 {
		return "none"
	}
	return strings.Join(tags, ", ")
}

// Priorities by name.
var priorities = map[string]int{"low": -1, "normal": 0, "high": 1, "urgent": 2}

// PriorityName names a conversation priority.
func PriorityName(p int) string {
	for n, v := range priorities {
		if v == p {
			return n
		}
	}
	return strconv.Itoa(p)
}

// ParsePriority returns the priority named name (low, normal, high,
// urgent).
func ParsePriority(name string) (int, bool) {
	p, ok := priorities[strings.ToLower(name)]
	return p, ok
}

func cmdPriority(c *invocation) (string, error) {
	p, ok := priorities[strings.ToLower(c.args)]
	if !ok {
		return "", errUsage
	}
	c.conv.Priority = p
	return c.update(core.ConversationPatch{Priority: &p}, "priority", c.args,
		fmt.Sprintf("⚑ Priority %s, set by %s.", strings.ToLower(c.args), c.staff.Voice.Name))
}

// parseSpan reads "90m", "2h", "3d" or "1w".
func parseSpan(s string) (time.Duration, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		return time.Duration(days) * 24 * time.Hour, err == nil && days > 0
	}
	if n, ok := strings.CutSuffix(s, "w"); ok {
		weeks, err := strconv.Atoi(n)
		return time.Duration(weeks) * 7 * 24 * time.Hour, err == nil && weeks > 0
	}
	d, err := time.ParseDuration(s)
	return d, err == nil && d > 0
}

func cmdSnooze(c *invocation) (string, error) {
	d, ok := parseSpan(c.args)
	if !ok {
		return "", errUsage
	}
	until := c.now.Add(d)
	if err := c.s.stopClock(c.tx, c.conv.ID, "snooze"); err != nil {
		return "", err
	}
	waiting := core.StatusWaiting
	c.conv.Status = waiting
	say, err := c.update(core.ConversationPatch{Status: &waiting}, "snooze", until.UTC().Format(time.RFC3339),
		fmt.Sprintf("💤 Snoozed by %s until %s.", c.staff.Voice.Name, until.UTC().Format("Mon 2 Jan 15:04 MST")))
	if err != nil {
		return "", err
	}
	// The outbox doubles as the scheduler: a wake-up due at the end, in a
	// lane of its own so it does not hold up the desk thread's posts (a
	// customer writing during the snooze) until then.
	return say, c.tx.Enqueue(&core.Delivery{
		Key: fmt.Sprintf("wake:%d:%d", c.conv.ID, until.UnixNano()), ConversationID: c.conv.ID,
		Op: core.OpWake, Side: core.DeskSide, Platform: c.conv.Desk.Platform, Lane: fmt.Sprintf("wake%d", int64(c.conv.ID)),
		State: core.DeliveryPending, NextAttemptAt: until, CreatedAt: c.now,
	})
}

func cmdBlock(block bool) func(c *invocation) (string, error) {
	return func(c *invocation) (string, error) {
		if err := c.tx.SetContactBlocked(c.conv.ContactID, block); err != nil {
			return "", fmt.Errorf("block contact: %w", err)
		}
		action, say := "block", fmt.Sprintf("🚫 Contact blocked by %s: their messages are recorded but no longer shown here.", c.staff.Voice.Name)
		if !block {
			action, say = "unblock", fmt.Sprintf("Contact unblocked by %s.", c.staff.Voice.Name)
		}
		if err := c.tx.Audit(core.AuditEntry{At: c.now, Actor: c.actor(), Action: action, Object: c.conv.ContactID.String(), Detail: c.args}); err != nil {
			return "", fmt.Errorf("audit: %w", err)
		}
		return say, c.s.systemNote(c.tx, c.conv, say)
	}
}

func cmdHelp(c *invocation) (string, error) {
	u := c.s.usage()
	return u, c.s.systemNote(c.tx, c.conv, u)
}

// Act implements core.ActionInbox: native slash commands and buttons in a
// desk thread run the same commands as text; at customer places a few
// customer commands are answered. An invocation whose ID was acted on
// before (a replayed or redelivered request) does nothing and returns
// Repeat; the record commits with the action's transaction, or, for an
// answer that changes nothing, after it.
func (s *Service) Act(ctx context.Context, e core.ActionEvent) (core.ActionResult, error) {
	e = clean(e).(core.ActionEvent)
	if err := validate(e); err != nil {
		return core.ActionResult{}, err
	}
	a := &action{ActionEvent: e, s: s}
	res, err := s.act(ctx, a)
	if err == nil && !a.marked && !a.repeat && a.ID != "" {
		// An answer that wrote nothing: record it now, so a replay is
		// not answered twice either.
		err = a.do(ctx, func(core.Tx) error { return nil })
	}
	if a.repeat {
		return core.ActionResult{Repeat: true}, nil
	}
	return res, err
}

// act dispatches an action to the desk or customer commands.
func (s *Service) act(ctx context.Context, a *action) (core.ActionResult, error) {
	desk, ok := s.deskAt(a.Place)
	if !ok {
		return s.customerAction(ctx, a)
	}
	st, isStaff, err := s.resolveStaff(ctx, desk, a.Sender)
	if err != nil {
		return core.ActionResult{}, err
	}
	if !isStaff {
		return core.ActionResult{Text: "Only staff can do that."}, nil
	}
	if strings.EqualFold(a.Name, "signal") {
		return s.signalAction(ctx, st, a)
	}
	if a.Place.Thread == "" {
		return s.deskRootAction(ctx, st, a)
	}
	var out string
	err = a.do(ctx, func(tx core.Tx) error {
		conv, err := tx.ConversationByDesk(a.Place)
		if errors.Is(err, core.ErrNotFound) {
			out, err = s.incidentAction(tx, st, a.ActionEvent)
			return err
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

func cmdVoice(c *invocation) (string, error) {
	var team bool
	switch strings.ToLower(c.args) {
	case "team", "anon", "anonymous":
		team = true
	case "me", "mine", "own":
	default:
		return "", errUsage
	}
	if err := c.tx.SetStaffPrefersTeam(c.staff.ID, team, c.now); err != nil {
		return "", fmt.Errorf("set voice: %w", err)
	}
	if err := c.audit("voice", c.args); err != nil {
		return "", err
	}
	msg := fmt.Sprintf("🗣️ %s now answers in their own voice.", c.staff.Voice.Name)
	if team {
		msg = fmt.Sprintf("🗣️ %s now answers as %s (use %svoice me to sign again).", c.staff.Voice.Name, c.s.cfg.Team.Name, c.s.cfg.CommandPrefix)
	}
	return msg, c.s.systemNote(c.tx, c.conv, msg)
}
