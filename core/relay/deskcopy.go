package relay

import (
	"context"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"cornershop/core"
)

// deskCopyLimit is how many characters of one message a desk post shows:
// two posts on Slack and Telegram, three on Discord (2,000 characters a
// post), so one long message cannot bury a desk thread under dozens of
// posts (100 KB used to become 26 Slack posts, 51 Discord posts).
const deskCopyLimit = 4000

// deskCopy makes a message's copy fit for a desk, where staff read it:
//
//   - invisible and direction-changing characters in the text, the
//     sender's name and handle and the file names are shown as markers
//     (see visible), so nothing in a customer's text can hide or disguise
//     what it says;
//   - a text longer than deskCopyLimit is cut there, at a paragraph, line,
//     sentence or word boundary when there is one, and says how much is
//     left out. A send also carries the whole text as a file,
//     message-<id>.txt (every platform's desk takes files), so nothing is
//     out of reach; an edit or delete cannot add a file, so its cut copy
//     points to the transcript command, whose answer — itself a desk post
//     — comes with the whole conversation as a file.
//
// The record keeps every message whole and as sent: only this copy
// changes. Copies for customers never come here.
func (s *Service) deskCopy(out core.Outgoing, op core.Op, id core.MessageID) core.Outgoing {
	out.Text = visible(out.Text)
	out.From.Name, out.From.Handle = visible(out.From.Name), visible(out.From.Handle)
	for i := range out.Files {
		out.Files[i].Name = visible(out.Files[i].Name)
	}
	head, rest := capText(out.Text, deskCopyLimit)
	if rest == 0 {
		return out
	}
	if op != core.OpSend {
		out.Text = fmt.Sprintf("%s\n\n… %s more characters not shown here: %stranscript sends the whole conversation as a file.",
			head, thousands(rest), s.cfg.CommandPrefix)
		return out
	}
	whole := out.Text
	name := fmt.Sprintf("message-%d.txt", id)
	out.Text = fmt.Sprintf("%s\n\n… %s more characters: the whole message is attached as %s.", head, thousands(rest), name)
	out.Files = append(out.Files, core.File{
		Attachment: core.Attachment{Kind: core.KindFile, Name: name, ContentType: "text/plain; charset=utf-8", Size: int64(len(whole))},
		Open:       func(context.Context) (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(whole)), nil },
	})
	return out
}

// capText returns the start of text that fits in limit characters (runes),
// cut at the last paragraph, line, sentence or word boundary in its last
// third when there is one, and how many characters of text it leaves out
// (0: text fits whole and comes back as it is).
func capText(text string, limit int) (head string, rest int) {
	total := utf8.RuneCountInString(text)
	if total <= limit {
		return text, 0
	}
	cut := len(text)
	for n := range text {
		if limit == 0 {
			cut = n
			break
		}
		limit--
	}
	window := text[:cut]
	for _, sep := range []string{"\n\n", "\n", ". ", "! ", "? ", " "} {
		if i := strings.LastIndex(window, sep); i > 2*len(window)/3 {
			window = window[:i+len(sep)]
			break
		}
	}
	head = strings.TrimRight(window, " \n")
	return head, total - utf8.RuneCountInString(head)
}

// thousands writes n with comma separators: 96,000.
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// visibleCard applies visible to everything on a contact card that
// customers or staff wrote: the card opens and names a desk thread, so a
// name like "\u202Egnp.exe" must not reorder it there either.
func visibleCard(c core.ContactCard) core.ContactCard {
	c.Name = visible(c.Name)
	if c.Identities != nil {
		ids := make([]core.Identity, len(c.Identities))
		for i, id := range c.Identities {
			id.Name, id.Handle, id.UserID = visible(id.Name), visible(id.Handle), visible(id.UserID)
			ids[i] = id
		}
		c.Identities = ids
	}
	if c.Tags != nil {
		tags := make([]string, len(c.Tags))
		for i, t := range c.Tags {
			tags[i] = visible(t)
		}
		c.Tags = tags
	}
	if c.Profile != nil {
		fields := make([]core.Field, len(c.Profile))
		for i, f := range c.Profile {
			f.Key, f.Value = visible(f.Key), visible(f.Value)
			fields[i] = f
		}
		c.Profile = fields
	}
	if c.Ideas != nil {
		ideas := make([]core.Idea, len(c.Ideas))
		for i, idea := range c.Ideas {
			idea.Title = visible(idea.Title)
			ideas[i] = idea
		}
		c.Ideas = ideas
	}
	c.Assignee = visible(c.Assignee)
	return c
}
