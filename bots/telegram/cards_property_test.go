package telegram

import (
	"context"
	"html"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"cornershop/bots/bottest"
	"cornershop/bots/telegram/telegramfake"
	"cornershop/core"
)

// shown is what Telegram shows of an HTML text, worked out without the
// adapter's code: tags removed, entities decoded, UTF-16 units counted.
func shown(s string) int {
	plain := html.UnescapeString(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(s, ""))
	return len(utf16.Encode([]rune(strings.TrimSpace(plain))))
}

// TestAnyCardFitsTelegram: contact cards and idea cards of random sizes,
// counts and characters (emoji and other surrogate pairs, combining
// marks, "<>&", entities, @mentions, /commands, very long words) are at
// most 4,096 UTF-16 units once parsed, checked here without the adapter's
// code, topic names at most 128, and the emulator, which parses the HTML
// as Telegram does, accepts each of them over the wire: the topic opened
// with its card, the card and topic edited, the idea card posted.
func TestAnyCardFitsTelegram(t *testing.T) {
	fake, err := telegramfake.Start("127.0.0.1:0", telegramfake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fake.Close() })
	staff := fake.AddUser("Alice", "Martin", "alice")
	desk := fake.AddGroup("Desk", true, true, staff)
	chat := strconv.FormatInt(desk.ID, 10)
	b, err := New(Options{Token: fake.Token(), APIURL: fake.URL(), DeskChats: []string{chat}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	r := rand.New(rand.NewPCG(26, 2026))
	for i := range bottest.CardSeeds {
		card := bottest.RandomCard(r)
		idea := bottest.RandomIdea(r)
		for what, n := range map[string]int{"card": shown(cardHTML(card)), "idea card": shown(ideaHTML(idea))} {
			if n > maxText {
				t.Fatalf("%s %d: %d UTF-16 units once parsed, over %d", what, i, n, maxText)
			}
		}
		if n := utf16Len(topicName(card)); n > maxTopicName {
			t.Fatalf("card %d: topic name of %d units", i, n)
		}
		if i%10 != 0 {
			continue // the emulator sees one in ten: enough, and fast
		}
		th, err := b.OpenThread(ctx, core.Place{Platform: core.Telegram, Chat: chat}, card)
		if err != nil {
			t.Fatalf("card %d: the emulator refused it: %v", i, err)
		}
		if err := b.UpdateCard(ctx, th, bottest.RandomCard(r)); err != nil {
			t.Fatalf("card %d: the emulator refused its update: %v", i, err)
		}
		p := tgbotapi.Params{"chat_id": chat, "text": ideaHTML(idea), "parse_mode": "HTML", "reply_markup": voteKeyboard(idea)}
		if _, err := b.call(ctx, "sendMessage", p); err != nil {
			t.Fatalf("idea card %d: the emulator refused it: %v", i, err)
		}
	}
}
