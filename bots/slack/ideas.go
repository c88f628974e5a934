package slack

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	slackapi "github.com/slack-go/slack"

	"cornershop/core"
)

var (
	_ core.IdeaBoard    = (*Bot)(nil)
	_ core.DirectOpener = (*Bot)(nil)
)

// voteAction is the action_id of an idea card's vote button; its value is
// the idea's number, so a press reaches the relay as the action "vote"
// with that number (see onInteraction).
const voteAction = "cornershop:vote"

// Excerpt lengths on a card, in characters of the customer's text.
const (
	cardBody    = 300
	cardMessage = 300
)

// hiddenText is all a hidden idea's card says.
const hiddenText = "This idea was hidden by a moderator."

// ideaBlocks renders an idea's card and its fallback text. Every piece of
// customer or moderator text is escaped, so "<!channel>" in a title stays
// inert. A hidden idea shows only that it was hidden; a merged one points
// to the idea it was merged into (its button still counts there).
func ideaBlocks(i core.Idea) ([]slackapi.Block, string) {
	if i.Hidden {
		return []slackapi.Block{mrkdwnSection("idea", hiddenText)}, hiddenText
	}
	head := fmt.Sprintf("💡 *#%d %s*", i.ID, escape(clip(i.Title, 200)))
	facts := fmt.Sprintf("%s %s · %s · %s", i.Status.Emoji(), i.Status.Label(), plural(i.Votes, "vote"), plural(i.Comments, "comment"))
	if i.AuthorName != "" {
		facts += " · proposed by " + escape(clip(i.AuthorName, 80))
	}
	blocks := []slackapi.Block{
		mrkdwnSection("idea", head),
		slackapi.NewContextBlock("facts", slackapi.NewTextBlockObject(slackapi.MarkdownType, facts, false, false)),
	}
	if i.MergedInto != 0 {
		blocks = append(blocks, mrkdwnSection("merged", fmt.Sprintf("🔁 Merged into *#%d* — vote there", i.MergedInto)))
	}
	if i.Body != "" {
		blocks = append(blocks, mrkdwnSection("body", escape(clip(i.Body, cardBody))))
	}
	if i.Message != "" {
		blocks = append(blocks, mrkdwnSection("message", "*From the team:* "+escape(clip(i.Message, cardMessage))))
	}
	vote := slackapi.NewButtonBlockElement(voteAction, strconv.FormatInt(int64(i.ID), 10),
		slackapi.NewTextBlockObject(slackapi.PlainTextType, fmt.Sprintf("👍 Vote (%d)", i.Votes), true, false))
	blocks = append(blocks, slackapi.NewActionBlock("vote", vote))
	fallback := fmt.Sprintf("💡 #%d %s — %s, %s", i.ID, clip(i.Title, 200), i.Status.Label(), plural(i.Votes, "vote"))
	if i.MergedInto != 0 {
		fallback += fmt.Sprintf(" (merged into #%d)", i.MergedInto)
	}
	return fitBlocks(blocks), escape(fallback)
}

func mrkdwnSection(id, text string) *slackapi.SectionBlock {
	return slackapi.NewSectionBlock(slackapi.NewTextBlockObject(slackapi.MarkdownType, clip(text, 3000), false, false), nil, nil, slackapi.SectionBlockOptionBlockID(id))
}

// plural says "1 vote", "2 votes", "0 votes".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// PostIdea implements core.IdeaBoard: the card is posted at place.Chat, in
// the thread place.Thread when set (under the proposing post on a board).
// The Thread returned is that thread or, for a card posted at the top
// level (an idea from /cornershop idea), the thread the card roots, so that
// replies to it are comments. Errors are delivery classes.
func (b *Bot) PostIdea(ctx context.Context, place core.Place, idea core.Idea) (core.Thread, error) {
	blocks, text := ideaBlocks(idea)
	if err := b.pace(ctx, place.Chat, false); err != nil {
		return core.Thread{}, err
	}
	opts := []slackapi.MsgOption{slackapi.MsgOptionText(text, false), slackapi.MsgOptionBlocks(blocks...), slackapi.MsgOptionDisableLinkUnfurl()}
	at := place
	if at.Thread == "" && isTS(idea.SourceID) {
		at.Thread = idea.SourceID // the card answers the proposing message, in its thread
	}
	if at.Thread != "" {
		opts = append(opts, slackapi.MsgOptionTS(at.Thread))
	}
	_, ts, err := b.api.PostMessageContext(ctx, place.Chat, opts...)
	if err != nil {
		return core.Thread{}, b.classify("chat.postMessage", err)
	}
	if at.Thread == "" {
		at.Thread = ts // a top-level card roots its own thread: replies there comment on it
	}
	return core.Thread{Place: at, CardID: ts}, nil
}

// isTS reports whether s is a message timestamp ("1700000000.000100").
func isTS(s string) bool {
	sec, frac, ok := strings.Cut(s, ".")
	return ok && sec != "" && frac != "" && strings.Trim(sec+frac, "0123456789") == ""
}

// UpdateIdea implements core.IdeaBoard: the card at t is rendered again
// with chat.update. Slack has no tags on messages; the status shows on the
// card itself.
func (b *Bot) UpdateIdea(ctx context.Context, t core.Thread, idea core.Idea) error {
	blocks, text := ideaBlocks(idea)
	_, _, _, err := b.api.UpdateMessageContext(ctx, t.Place.Chat, t.CardID, slackapi.MsgOptionText(text, false), slackapi.MsgOptionBlocks(blocks...))
	if err != nil {
		return b.classify("chat.update", err)
	}
	return nil
}

// DirectPlace implements core.DirectOpener with conversations.open (scope
// im:write): the DM between the app and userID, opened when there is none.
// Errors are delivery classes (user_not_found and the like are permanent).
func (b *Bot) DirectPlace(ctx context.Context, userID string) (core.Place, error) {
	ch, _, _, err := b.api.OpenConversationContext(ctx, &slackapi.OpenConversationParameters{Users: []string{userID}, ReturnIM: true})
	if err != nil {
		return core.Place{}, b.classify("conversations.open", err)
	}
	if ch == nil || ch.ID == "" {
		return core.Place{}, core.Transient(fmt.Errorf("slack conversations.open: no channel in the answer"))
	}
	return core.Place{Platform: core.Slack, Chat: ch.ID}, nil
}
