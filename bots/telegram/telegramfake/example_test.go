package telegramfake_test

import (
	"context"
	"fmt"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"cornershop/bots/telegram/telegramfake"
)

// A customer writes to the bot, which answers in HTML.
func Example() {
	s, err := telegramfake.Start("127.0.0.1:0", telegramfake.Options{})
	if err != nil {
		panic(err)
	}
	defer s.Close()
	customer, _, _ := s.SeedDemo()
	bot, err := tgbotapi.NewBotAPIWithAPIEndpoint(s.Token(), s.APIEndpoint())
	if err != nil {
		panic(err)
	}
	_, _ = s.SendText(customer.ID, 0, customer, "Is my order shipped?")
	ups, _ := bot.GetUpdates(tgbotapi.UpdateConfig{})
	reply := tgbotapi.NewMessage(ups[0].Message.Chat.ID, "<b>Alice (Support)</b>\nYes, today!")
	reply.ParseMode = tgbotapi.ModeHTML
	_, _ = bot.Send(reply)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = s.WaitFor(ctx, func() bool { return len(s.BotMessages(customer.ID, 0)) == 1 })
	fmt.Printf("%q\n", s.BotMessages(customer.ID, 0)[0].Text)
	// Output: "Alice (Support)\nYes, today!"
}
