package relay

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"cornershop/core"
)

// cmdIdeas lists ideas in a desk thread.
func cmdIdeas(c *invocation) (string, error) {
	out, err := listIdeas(c.tx, strings.ToLower(c.args), true)
	if err != nil {
		return "", err
	}
	return out, c.s.systemNote(c.tx, c.conv, out)
}

// cmdIdea moderates an idea ("!idea 12 planned We start in May") or turns
// the customer's words into one ("!idea Dark mode — easier on the eyes").
func cmdIdea(c *invocation) (string, error) {
	if c.args == "" {
		return "", errUsage
	}
	first, rest, _ := strings.Cut(c.args, " ")
	var (
		out string
		err error
	)
	if id, ok := parseIdeaID(first); ok {
		out, err = c.s.moderate(c.tx, c.staff, id, strings.TrimSpace(rest))
	} else {
		out, err = c.ideaFromConversation()
	}
	if err != nil {
		return "", err
	}
	return out, c.s.systemNote(c.tx, c.conv, out)
}

// ideaFromConversation records an idea on the customer's behalf, counting
// their vote; without details the customer's latest message is the body.
func (c *invocation) ideaFromConversation() (string, error) {
	title, body := SplitIdea(c.args)
	contact, err := c.tx.Contact(c.conv.ContactID)
	if err != nil {
		return "", fmt.Errorf("load contact: %w", err)
	}
	if body == "" {
		ms, err := c.tx.Messages(c.conv.ID)
		if err != nil {
			return "", fmt.Errorf("load messages: %w", err)
		}
		for _, m := range slices.Backward(ms) {
			if m.Direction == core.Inbound && !m.Deleted() {
				body = m.Text
				break
			}
		}
	}
	platform := c.conv.Customer.Platform
	voter := core.Voter{Platform: platform}
	for _, id := range contact.Identities {
		if id.Platform == platform {
			voter.UserID = id.UserID
		}
	}
	if voter.UserID == "" {
		return "", fmt.Errorf("idea from conversation: contact has no %s account: %w", platform, core.ErrNotFound)
	}
	i, err := c.s.propose(c.tx, contact, voter, proposal{origin: c.s.boardFor(platform), title: title, body: body}, c.actor())
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("💡 Idea #%d “%s” recorded for %s, with their vote.", i.ID, i.Title, contact.Name), nil
}

// boardFor picks the board a staff-made idea is posted on: the customer's
// platform's, else the first; zero when there is none (it still shows on
// the roadmap page).
func (s *Service) boardFor(p core.PlatformName) core.Place {
	for _, b := range s.cfg.Ideas.Boards {
		if b.Platform == p {
			return b
		}
	}
	if len(s.cfg.Ideas.Boards) > 0 {
		return s.cfg.Ideas.Boards[0]
	}
	return core.Place{}
}

// ideaVerbs are the moderation subcommands, for usage.
const ideaVerbs = "status <status> [public message] | merge <into> | hide <reason> | unhide | title <text> | tag <tag>… | untag <tag>… | pin | unpin | approve"

// moderate runs "!idea <id> <verb> …". Without a verb it shows the idea;
// everything else needs the moderator role.
func (s *Service) moderate(tx core.Tx, st core.Staff, id core.IdeaID, line string) (string, error) {
	i, err := tx.Idea(id)
	if errors.Is(err, core.ErrNotFound) {
		return fmt.Sprintf("There is no idea #%d.", id), nil
	}
	if err != nil {
		return "", fmt.Errorf("load idea: %w", err)
	}
	verb, arg, _ := strings.Cut(line, " ")
	verb, arg = strings.ToLower(verb), strings.TrimSpace(arg)
	if verb == "" {
		return ideaDetails(i), nil
	}
	if !st.Can(core.RoleModerator) {
		return "⛔ Moderating ideas needs the moderator role.", nil
	}
	m := moderation{s: s, tx: tx, st: st, idea: i, now: s.now()}
	if to, msg, ok := parseStatusArgs(verb, arg); ok {
		return m.setStatus(to, msg)
	}
	switch verb {
	case "merge":
		into, ok := parseIdeaID(strings.TrimPrefix(strings.TrimSpace(strings.TrimPrefix(arg, "into")), " "))
		if !ok {
			return "Usage: !idea <id> merge <into id>", nil
		}
		return m.merge(into)
	case "hide":
		if arg == "" {
			return "Usage: !idea <id> hide <reason>", nil
		}
		yes := true
		return m.patch(core.IdeaPatch{Hidden: &yes, HideReason: &arg}, "idea.hide", arg, fmt.Sprintf("🙈 Idea #%d is hidden: %s", i.ID, arg))
	case "unhide":
		no, none := false, ""
		return m.patch(core.IdeaPatch{Hidden: &no, HideReason: &none}, "idea.unhide", "", fmt.Sprintf("👀 Idea #%d is visible again.", i.ID))
	case "title":
		if arg == "" {
			return "Usage: !idea <id> title <new title>", nil
		}
		t := clip(arg, maxTitle)
		return m.patch(core.IdeaPatch{Title: &t}, "idea.title", t, fmt.Sprintf("✏️ Idea #%d is now titled “%s”.", i.ID, t))
	case "tag", "untag":
		tags := retag(i.Tags, strings.Fields(arg), verb == "tag")
		return m.patch(core.IdeaPatch{Tags: &tags}, "idea."+verb, arg, fmt.Sprintf("🏷️ Idea #%d tags: %s", i.ID, orNone(tags)))
	case "pin", "unpin":
		on := verb == "pin"
		return m.patch(core.IdeaPatch{Pinned: &on}, "idea."+verb, "", fmt.Sprintf("📌 Idea #%d %sned.", i.ID, verb))
	case "approve":
		if !i.Queued {
			return fmt.Sprintf("Idea #%d is not waiting for review.", i.ID), nil
		}
		no := false
		return m.patch(core.IdeaPatch{Queued: &no}, "idea.approve", "", fmt.Sprintf("✅ Idea #%d approved: it is public now.", i.ID))
	}
	return "Usage: !idea <id> " + ideaVerbs, nil
}

// parseStatusArgs reads "status planned msg", "planned msg" and
// "in progress msg".
func parseStatusArgs(verb, arg string) (core.IdeaStatus, string, bool) {
	if verb == "status" {
		verb, arg, _ = strings.Cut(arg, " ")
		arg = strings.TrimSpace(arg)
	}
	if two, rest, _ := strings.Cut(arg, " "); two != "" {
		if st, ok := core.ParseIdeaStatus(verb + " " + two); ok {
			return st, strings.TrimSpace(rest), true
		}
	}
	st, ok := core.ParseIdeaStatus(verb)
	return st, arg, ok
}

func retag(have, change []string, add bool) []string {
	out := slices.Clone(have)
	for _, t := range change {
		if add && !core.HasTag(out, t) {
			out = append(out, t)
		}
		if !add {
			out = slices.DeleteFunc(out, func(s string) bool { return strings.EqualFold(s, t) })
		}
	}
	return out
}

func ideaDetails(i core.Idea) string {
	var b strings.Builder
	b.WriteString(ideaLine(i))
	fmt.Fprintf(&b, " · %d comments\nProposed by %s on %s", i.Comments, i.AuthorName, i.CreatedAt.Format("2 Jan 2006"))
	if i.Body != "" {
		b.WriteString("\n" + clip(i.Body, 500))
	}
	if len(i.Tags) > 0 {
		b.WriteString("\nTags: " + strings.Join(i.Tags, ", "))
	}
	if i.Message != "" {
		b.WriteString("\nLatest word: " + i.Message)
	}
	if i.MergedInto != 0 {
		fmt.Fprintf(&b, "\nMerged into #%d", i.MergedInto)
	}
	return b.String()
}

// moderation is one moderator's action on one idea.
type moderation struct {
	s    *Service
	tx   core.Tx
	st   core.Staff
	idea core.Idea
	now  time.Time
	// via names who asked on the moderator's behalf ("api:crm"), for the
	// audit; "" in the chat.
	via string
}

func (m moderation) actor() string { return "staff:" + string(m.st.ID) }

// patch applies p, audits it and refreshes the card.
func (m moderation) patch(p core.IdeaPatch, action, detail, say string) (string, error) {
	if err := m.tx.UpdateIdea(m.idea.ID, p, m.now); err != nil {
		return "", fmt.Errorf("%s: %w", action, err)
	}
	if m.via != "" {
		detail = strings.TrimSpace(detail + " (via " + m.via + ")")
	}
	if err := m.tx.Audit(core.AuditEntry{At: m.now, Actor: m.actor(), Action: action, Object: m.idea.ID.String(), Detail: detail}); err != nil {
		return "", fmt.Errorf("audit: %w", err)
	}
	i, err := m.tx.Idea(m.idea.ID)
	if err != nil {
		return "", fmt.Errorf("reload idea: %w", err)
	}
	return say, m.s.refreshIdea(m.tx, i)
}

func (m moderation) setStatus(to core.IdeaStatus, msg string) (string, error) {
	if to == core.IdeaDuplicate {
		return "Mark a duplicate with !idea <id> merge <into id>.", nil
	}
	if to == m.idea.Status && msg == "" {
		return fmt.Sprintf("Idea #%d is already %s.", m.idea.ID, to.Label()), nil
	}
	say := fmt.Sprintf("%s Idea #%d “%s” is now %s.", to.Emoji(), m.idea.ID, m.idea.Title, to.Label())
	if msg != "" {
		say += " " + msg
	}
	out, err := m.patch(core.IdeaPatch{Status: &to, Message: &msg}, "idea.status", string(to)+" "+msg, say)
	if err != nil {
		return "", err
	}
	followers, err := m.tx.Followers(m.idea.ID)
	if err != nil {
		return "", fmt.Errorf("followers: %w", err)
	}
	n, err := m.s.notify(m.tx, m.idea.ID, followers, say, m.st.ID)
	if err != nil {
		return "", err
	}
	return out + fmt.Sprintf(" (%s told)", people(n)), nil
}

func (m moderation) merge(into core.IdeaID) (string, error) {
	if into == m.idea.ID {
		return "An idea cannot be merged into itself.", nil
	}
	target, err := m.tx.Idea(into)
	if errors.Is(err, core.ErrNotFound) {
		return fmt.Sprintf("There is no idea #%d.", into), nil
	}
	if err != nil {
		return "", fmt.Errorf("load idea: %w", err)
	}
	if target.MergedInto != 0 {
		return fmt.Sprintf("Idea #%d was itself merged into #%d: merge into that one.", into, target.MergedInto), nil
	}
	followers, err := m.tx.Followers(m.idea.ID)
	if err != nil {
		return "", fmt.Errorf("followers: %w", err)
	}
	if err := m.tx.MergeIdeas(m.idea.ID, into); err != nil {
		return "", fmt.Errorf("merge ideas: %w", err)
	}
	dup := core.IdeaDuplicate
	say := fmt.Sprintf("🔁 Idea #%d “%s” is merged into #%d “%s”: its votes and comments count there now.", m.idea.ID, m.idea.Title, into, target.Title)
	out, err := m.patch(core.IdeaPatch{Status: &dup, MergedInto: &into}, "idea.merge", into.String(), say)
	if err != nil {
		return "", err
	}
	if target, err = m.tx.Idea(into); err != nil {
		return "", fmt.Errorf("reload idea: %w", err)
	}
	if err := m.s.refreshIdea(m.tx, target); err != nil {
		return "", err
	}
	n, err := m.s.notify(m.tx, m.idea.ID, followers, say, m.st.ID)
	if err != nil {
		return "", err
	}
	return out + fmt.Sprintf(" (%s told)", people(n)), nil
}

func people(n int) string {
	if n == 1 {
		return "1 person"
	}
	return fmt.Sprintf("%d people", n)
}

// notify queues text for every follower who wants it, in staff's voice:
// one message each, or, past DailyNotices in DigestWindow, a line in a
// digest that leaves after DigestDelay. It returns how many were told.
func (s *Service) notify(tx core.Tx, idea core.IdeaID, followers []core.Voter, text string, staff core.StaffID) (int, error) {
	now := s.now()
	told := 0
	for _, f := range followers {
		c, err := tx.Contact(f.Contact)
		if err != nil {
			return 0, fmt.Errorf("load follower: %w", err)
		}
		muted, err := tx.Muted(f.Contact)
		if err != nil {
			return 0, fmt.Errorf("muted: %w", err)
		}
		if c.Blocked || muted {
			continue
		}
		sent, err := tx.NoticesSince(f.Contact, now.Add(-s.cfg.Ideas.DigestWindow))
		if err != nil {
			return 0, fmt.Errorf("count notices: %w", err)
		}
		n := core.Notice{To: f, Idea: idea, Text: text, Actor: staff, CreatedAt: now}
		d := core.Delivery{IdeaID: idea, Op: core.OpNotify, Side: core.CustomerSide, Platform: f.Platform, Lane: noticeLane(f.Contact)}
		if sent < s.cfg.Ideas.DailyNotices {
			n.Batch = fmt.Sprintf("notify:%d:%d:%s", int64(idea), int64(f.Contact), nonce())
		} else {
			n.Digest = true
			n.Batch, err = tx.OpenDigest(f.Contact)
			switch {
			case errors.Is(err, core.ErrNotFound):
				n.Batch = fmt.Sprintf("digest:%d:%s", int64(f.Contact), nonce())
				d.NextAttemptAt = now.Add(s.cfg.Ideas.DigestDelay)
			case err != nil:
				return 0, fmt.Errorf("open digest: %w", err)
			default:
				d = core.Delivery{} // the digest's delivery is queued already
			}
		}
		if err := tx.AddNotice(&n); err != nil {
			return 0, fmt.Errorf("record notice: %w", err)
		}
		if d.Op != "" {
			d.Key = n.Batch
			if err := s.enqueueAt(tx, d); err != nil {
				return 0, err
			}
		}
		told++
	}
	return told, nil
}

// deskRootAction runs a native command given outside a conversation's
// thread (Slack's /cornershop carries no thread): idea moderation and
// lists work anywhere in a desk.
func (s *Service) deskRootAction(ctx context.Context, st core.Staff, a *action) (core.ActionResult, error) {
	name := strings.ToLower(a.Name)
	if name != "idea" && name != "ideas" {
		return core.ActionResult{Text: "Run this inside a conversation's desk thread."}, nil
	}
	var out string
	err := a.do(ctx, func(tx core.Tx) error {
		var err error
		if name == "ideas" {
			out, err = listIdeas(tx, strings.ToLower(strings.Join(a.Args, " ")), true)
			return err
		}
		id, ok := core.IdeaID(0), false
		if len(a.Args) > 0 {
			id, ok = parseIdeaID(a.Args[0])
		}
		if !ok {
			out = "Usage: idea <id> [" + ideaVerbs + "] (to record a customer's idea, run it in their conversation's thread)"
			return nil
		}
		out, err = s.moderate(tx, st, id, strings.Join(a.Args[1:], " "))
		return err
	})
	return core.ActionResult{Text: out}, err
}
