package relay

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"cornershop/core"
)

// Answers configures self-help answers.
type Answers struct {
	// Suggest offers matching answers when a customer opens a new
	// conversation: "new_conversation", or "" / "off" for never.
	Suggest string
	// Limit caps the answers one suggestion or /help shows [3].
	Limit int
}

// suggesting reports whether new conversations get suggestions.
func (c Answers) suggesting() bool { return c.Suggest == "new_conversation" }

func (c Answers) withDefaults() Answers {
	if c.Limit <= 0 {
		c.Limit = 3
	}
	return c
}

// answerVerbs are what `!answer N` can do.
const answerVerbs = "edit <text>|remove|tag <tags>|untag [tags]"

// cmdAnswer is !answer: add publishes (agents and up, at once: answers
// are staff text and every change is audited), the rest moderate
// (moderators).
func cmdAnswer(c *invocation) (string, error) {
	out, err := answerCommand(c)
	if err != nil || out == "" {
		return out, err
	}
	return out, c.s.systemNote(c.tx, c.conv, out)
}

// answerCommand runs !answer and returns what to say in the thread.
func answerCommand(c *invocation) (string, error) {
	verb, rest, _ := strings.Cut(c.args, " ")
	rest = strings.TrimSpace(rest)
	switch strings.ToLower(verb) {
	case "add":
		return answerAdd(c, rest)
	case "from":
		return answerFrom(c, rest)
	case "":
		return "", errUsage
	}
	id, ok := parseAnswerID(verb)
	if !ok {
		return "", errUsage
	}
	a, err := c.tx.Answer(id)
	if errors.Is(err, core.ErrNotFound) {
		return fmt.Sprintf("There is no answer %d.", id), nil
	}
	if err != nil {
		return "", fmt.Errorf("load answer: %w", err)
	}
	sub, arg, _ := strings.Cut(rest, " ")
	sub, arg = strings.ToLower(sub), strings.TrimSpace(arg)
	if sub == "" {
		return answerCard(a), nil
	}
	if !c.staff.Can(core.RoleModerator) {
		return fmt.Sprintf("⛔ %sanswer %d %s needs the %s role.", c.s.cfg.CommandPrefix, id, sub, core.RoleModerator), nil
	}
	var p core.AnswerPatch
	var say string
	switch sub {
	case "edit":
		if arg == "" {
			return "", errUsage
		}
		p.Body, say = &arg, fmt.Sprintf("✏️ %s edited answer %d %q.", c.staff.Voice.Name, id, a.Title)
	case "remove":
		if err := c.tx.DeleteAnswer(id); err != nil {
			return "", fmt.Errorf("remove answer: %w", err)
		}
		return c.answerAudit(id, "answer.remove", a.Title, fmt.Sprintf("🗑️ %s removed answer %d %q.", c.staff.Voice.Name, id, a.Title))
	case "tag":
		tags := a.Tags
		for _, t := range strings.Fields(arg) {
			if !core.HasTag(tags, t) {
				tags = append(tags, t)
			}
		}
		p.Tags, say = &tags, fmt.Sprintf("🏷️ Answer %d is tagged %s.", id, strings.Join(tags, ", "))
	case "untag":
		var tags []string
		drop := strings.Fields(arg)
		for _, t := range a.Tags {
			if len(drop) > 0 && !core.HasTag(drop, t) {
				tags = append(tags, t)
			}
		}
		p.Tags, say = &tags, fmt.Sprintf("🏷️ Answer %d tags: %s.", id, orNone(tags))
	default:
		return "", errUsage
	}
	if err := c.tx.UpdateAnswer(id, p, c.now); err != nil {
		return "", fmt.Errorf("update answer: %w", err)
	}
	return c.answerAudit(id, "answer."+sub, arg, say)
}

// answerAudit records what happened to an answer and says it in the thread.
func (c *invocation) answerAudit(id core.AnswerID, action, detail, say string) (string, error) {
	if err := c.tx.Audit(core.AuditEntry{At: c.now, Actor: c.actor(), Action: action, Object: id.String(), Detail: detail}); err != nil {
		return "", fmt.Errorf("audit: %w", err)
	}
	return say, nil
}

// answerAdd publishes an answer titled title; its body is the text after
// the title ("Refunds — body") or else the staff member's last reply in
// this thread.
func answerAdd(c *invocation, text string) (string, error) {
	title, body := SplitIdea(text)
	if title == "" {
		return "", errUsage
	}
	if body == "" {
		m, _, ok, err := lastReply(c, func(m core.Message, _ []core.Delivery) bool {
			return m.Author == c.actor() && !m.Deleted() && strings.TrimSpace(m.Text) != ""
		})
		if err != nil {
			return "", err
		}
		if !ok {
			return fmt.Sprintf("Reply to the customer first, or write the answer after the title: %sanswer add %s — <answer>.", c.s.cfg.CommandPrefix, title), nil
		}
		body = m.Text
	}
	a, err := c.s.publish(c.tx, core.Answer{Title: title, Body: body, Author: c.actor(), AuthorName: c.staff.Voice.Name, CreatedAt: c.now})
	if err != nil {
		return "", err
	}
	return c.answerAudit(a.ID, "answer.add", a.Slug, fmt.Sprintf("📚 %s published answer %d %q (/answers/%s).", c.staff.Voice.Name, a.ID, a.Title, a.Slug))
}

// publish records a new answer under a free slug made of its title.
func (s *Service) publish(tx core.Tx, a core.Answer) (core.Answer, error) {
	base := core.Slugify(a.Title)
	if base == "" {
		base = "answer"
	}
	for n := 1; ; n++ {
		a.Slug = base
		if n > 1 {
			a.Slug = fmt.Sprintf("%s-%d", base, n)
		}
		err := tx.CreateAnswer(&a)
		if err == nil {
			return a, nil
		}
		if !errors.Is(err, core.ErrDuplicate) || n == 50 {
			return core.Answer{}, fmt.Errorf("publish answer: %w", err)
		}
	}
}

// cmdAnswers is !answers [query]: every answer, or those a search finds.
func cmdAnswers(c *invocation) (string, error) {
	out, err := listAnswers(c)
	if err != nil {
		return "", err
	}
	return out, c.s.systemNote(c.tx, c.conv, out)
}

func listAnswers(c *invocation) (string, error) {
	var as []core.Answer
	if c.args != "" {
		hs, err := c.tx.SearchAnswers(core.AnswerQuery{Text: c.args, Limit: 10})
		if err != nil {
			return "", fmt.Errorf("search answers: %w", err)
		}
		for _, h := range hs {
			as = append(as, h.Answer)
		}
	} else {
		var err error
		if as, err = c.tx.Answers(50); err != nil {
			return "", fmt.Errorf("list answers: %w", err)
		}
	}
	if len(as) == 0 {
		return fmt.Sprintf("No answers found. Publish one with %sanswer add <title>.", c.s.cfg.CommandPrefix), nil
	}
	lines := []string{"📚 Answers:"}
	for _, a := range as {
		lines = append(lines, answerLine(a))
	}
	return strings.Join(lines, "\n"), nil
}

// answerLine renders an answer for lists: "#3 Refunds · shown 4 · helped 2".
func answerLine(a core.Answer) string {
	line := fmt.Sprintf("#%d %s · shown %d · helped %d · not helped %d", a.ID, a.Title, a.Shown, a.Helped, a.NotHelped)
	if len(a.Tags) > 0 {
		line += " · " + strings.Join(a.Tags, ", ")
	}
	if a.CreditName != "" {
		line += " · thanks to " + a.CreditName
	}
	return line
}

// answerCard shows one answer whole.
func answerCard(a core.Answer) string {
	return answerLine(a) + "\n" + a.Body
}

// parseAnswerID reads "12" or "#12".
func parseAnswerID(s string) (core.AnswerID, bool) {
	n, err := strconv.ParseInt(strings.TrimPrefix(strings.TrimSpace(s), "#"), 10, 64)
	if err != nil || n <= 0 {
		return 0, false
	}
	return core.AnswerID(n), true
}
