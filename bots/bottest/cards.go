package bottest

import (
	"math/rand/v2"
	"strings"
	"time"

	"cornershop/core"
)

// CardSeeds is how many random cards a property test renders: enough to
// meet every size class many times, fast enough for every CI run.
const CardSeeds = 200

// pieces are what random card text is made of: letters, emoji (two UTF-16
// units each), a flag and a family (several code points per glyph),
// combining marks, HTML and markdown specials, mentions and entities.
var pieces = []string{
	"a", "Z", "7", " ", " ", "\n", "é", "e\u0301", "a\u0308\u0323", "😀", "👍🏽", "🇫🇷", "👨‍👩‍👧",
	"<", ">", "&", "&amp;", "<b>", "</i>", `"`, "'", "*", "_", "~", "`", "|", "\\", "#", "-", ">", "[x](y)",
	"@everyone", "@here", "<!channel>", "<@U1>", "/start", "@alice", "𝔘", "中", "\u200b", "\u2060",
}

// RandomText returns up to n pieces of card-hostile text; sometimes one
// very long word.
func RandomText(r *rand.Rand, n int) string {
	if n == 0 {
		return ""
	}
	var b strings.Builder
	count := r.IntN(n + 1)
	if r.IntN(8) == 0 {
		return strings.Repeat(pieces[r.IntN(len(pieces))], count) // a long "word"
	}
	for range count {
		b.WriteString(pieces[r.IntN(len(pieces))])
	}
	return b.String()
}

// size picks a length class: mostly small, sometimes past every limit.
func size(r *rand.Rand) int {
	return []int{0, 1, 5, 30, 200, 1000, 5000}[r.IntN(7)]
}

// RandomCard is a contact card of random sizes, counts and characters, for
// property tests of card rendering.
func RandomCard(r *rand.Rand) core.ContactCard {
	platforms := []core.PlatformName{core.Telegram, core.Slack, core.Discord}
	statuses := []core.Status{core.StatusOpen, core.StatusWaiting, core.StatusClosed}
	c := core.ContactCard{
		Conversation: core.ConversationID(r.Int64N(1 << 40)), Contact: core.ContactID(r.Int64N(1 << 40)),
		Name: RandomText(r, size(r)), Customer: core.Place{Platform: platforms[r.IntN(3)], Chat: "1"},
		Status: statuses[r.IntN(3)], Assignee: RandomText(r, size(r)), Priority: r.IntN(4), Previous: r.IntN(1000),
	}
	if r.IntN(2) == 0 {
		c.Since = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(r.Int64N(1e17)))
		c.LastSeen = c.Since.Add(time.Hour)
	}
	for range []int{0, 1, 3, 10, 40}[r.IntN(5)] {
		c.Identities = append(c.Identities, core.Identity{Platform: platforms[r.IntN(3)], UserID: RandomText(r, 20) + "1",
			Handle: RandomText(r, size(r)), Name: RandomText(r, size(r))})
	}
	for range []int{0, 1, 5, 30, 200, 500}[r.IntN(6)] {
		c.Tags = append(c.Tags, RandomText(r, []int{1, 10, 100}[r.IntN(3)]))
	}
	for range []int{0, 1, 10, 25, 60}[r.IntN(5)] {
		c.Profile = append(c.Profile, core.Field{Key: RandomText(r, size(r)), Value: RandomText(r, size(r))})
	}
	for range []int{0, 1, 5}[r.IntN(3)] {
		c.Ideas = append(c.Ideas, RandomIdea(r))
	}
	return c
}

// RandomIdea is an idea of random sizes and characters, in any state.
func RandomIdea(r *rand.Rand) core.Idea {
	i := core.Idea{
		ID: core.IdeaID(1 + r.Int64N(1<<40)), Title: RandomText(r, size(r)), Body: RandomText(r, size(r)),
		Status: core.IdeaStatuses[r.IntN(len(core.IdeaStatuses))], AuthorName: RandomText(r, size(r)),
		Message: RandomText(r, size(r)), Votes: r.IntN(100000), Comments: r.IntN(100000),
		Hidden: r.IntN(10) == 0, Pinned: r.IntN(2) == 0,
	}
	if r.IntN(10) == 0 {
		i.MergedInto = core.IdeaID(1 + r.Int64N(1<<40))
	}
	for range []int{0, 1, 5, 50}[r.IntN(4)] {
		i.Tags = append(i.Tags, RandomText(r, 30))
	}
	return i
}

// BigCard is the contact of issue #26 at its worst: 25 long profile
// fields, 200 tags and 10 linked accounts.
func BigCard(conv core.ConversationID, name string) core.ContactCard {
	c := core.ContactCard{Conversation: conv, Name: name, Customer: core.Place{Platform: core.Telegram, Chat: "1"}, Status: core.StatusOpen}
	for i := range 10 {
		c.Identities = append(c.Identities, core.Identity{Platform: core.Slack, UserID: "U" + strings.Repeat("9", i+1), Handle: strings.Repeat("h", 150)})
	}
	for i := range 200 {
		c.Tags = append(c.Tags, "tag-"+strings.Repeat("t", i%40))
	}
	for i := range 25 {
		c.Profile = append(c.Profile, core.Field{Key: strings.Repeat("k", 200) + string(rune('A'+i)), Value: strings.Repeat("v😀 ", 300)})
	}
	return c
}
