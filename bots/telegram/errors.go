package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"cornershop/core"
)

// ctxDoer binds a request context to tgbotapi, which has none, so every
// call is cancelled with its ctx (a long poll included).
type ctxDoer struct {
	ctx context.Context
	c   *http.Client
}

func (d ctxDoer) Do(r *http.Request) (*http.Response, error) { return d.c.Do(r.WithContext(d.ctx)) }

// client is the bot API bound to ctx.
func (b *Bot) client(ctx context.Context) *tgbotapi.BotAPI {
	api := *b.api
	api.Client = ctxDoer{ctx: ctx, c: b.o.HTTPClient}
	return &api
}

// call makes one Bot API request under ctx and classifies its failure.
// A call inside a retry_after window Telegram announced is not made: it
// fails at once with the time left (see window).
func (b *Bot) call(ctx context.Context, method string, p tgbotapi.Params) (*tgbotapi.APIResponse, error) {
	key := window(method, p["chat_id"])
	if left := b.held.Left(key); left > 0 {
		return nil, core.Paced(left, fmt.Errorf("telegram %s: waiting out a retry_after", method))
	}
	resp, err := b.client(ctx).MakeRequest(method, p)
	if err != nil {
		return nil, b.hold(key, b.classify(method, err))
	}
	return resp, nil
}

// window is what a 429 for a call closes, as Telegram's flood control
// does: the chat (its id, which is also the pacer's key), for calls that
// send or change messages in one; else "method:" and the method.
func window(method, chat string) string {
	switch strings.ToLower(method) {
	case "sendmessage", "sendphoto", "senddocument", "sendvoice", "editmessagetext", "editmessagecaption",
		"editmessagereplymarkup", "createforumtopic", "editforumtopic", "deletemessage":
		if chat != "" {
			return chat
		}
	}
	return "method:" + strings.ToLower(method)
}

// hold opens key's window when err is a retry-after, and returns err.
func (b *Bot) hold(key string, err error) error {
	if class, after := core.Classify(err); class == core.ClassRetryAfter {
		b.held.Hold(key, after)
	}
	return err
}

// classify turns a tgbotapi error into a delivery class with a reason staff
// can read, and scrubs the token from transport errors (their URL holds it).
func (b *Bot) classify(method string, err error) error {
	var te *tgbotapi.Error
	if errors.As(err, &te) {
		desc := te.Message
		switch {
		case te.Code == 429 || te.RetryAfter > 0:
			return core.RetryAfter(time.Duration(max(te.RetryAfter, 1))*time.Second, fmt.Errorf("telegram %s: %s", method, desc))
		case te.Code >= 500:
			return core.Transient(fmt.Errorf("telegram %s: %s", method, desc))
		case strings.Contains(desc, "bot was blocked by the user"):
			return core.Permanent(fmt.Errorf("the customer blocked the bot on Telegram"))
		case strings.Contains(desc, "user is deactivated"):
			return core.Permanent(fmt.Errorf("the customer deleted their Telegram account"))
		case strings.Contains(desc, "message is too long"):
			return core.Permanent(fmt.Errorf("message too long for Telegram"))
		case te.Code == 401:
			return core.Permanent(fmt.Errorf("telegram rejected the bot token"))
		}
		return core.Permanent(fmt.Errorf("telegram %s: %s", method, desc))
	}
	msg := strings.ReplaceAll(err.Error(), b.o.Token, "<token>")
	return core.Transient(fmt.Errorf("telegram %s: %s", method, msg))
}

func decode(resp *tgbotapi.APIResponse, v any) error {
	if err := json.Unmarshal(resp.Result, v); err != nil {
		return core.Permanent(fmt.Errorf("telegram: unexpected answer: %w", err))
	}
	return nil
}
