package telegram

import (
	"context"
	"strconv"
	"testing"

	"cornershop/bots/telegram/telegramfake"
	"cornershop/core"
)

// TestTopicWithoutCardIsTakenBack: when the card cannot be posted in the
// topic just created, for good, the topic is deleted, so a later attempt
// (or the relay's fallback to the desk chat) leaves no empty topic.
func TestTopicWithoutCardIsTakenBack(t *testing.T) {
	fake, err := telegramfake.Start("127.0.0.1:0", telegramfake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fake.Close() })
	desk := fake.AddGroup("Desk", true, true, fake.AddUser("Alice", "", "alice"))
	chat := strconv.FormatInt(desk.ID, 10)
	b, err := New(Options{Token: fake.Token(), APIURL: fake.URL(), DeskChats: []string{chat}})
	if err != nil {
		t.Fatal(err)
	}
	fake.FailNext("sendMessage", 1, 400)
	_, err = b.OpenThread(context.Background(), core.Place{Platform: core.Telegram, Chat: chat}, core.ContactCard{Name: "Carla", Conversation: 1})
	if class, _ := core.Classify(err); err == nil || class != core.ClassPermanent {
		t.Fatalf("OpenThread = %v, want a permanent error", err)
	}
	for _, tp := range fake.Topics(desk.ID) {
		if !tp.Deleted {
			t.Errorf("topic left = %+v, want it deleted", tp)
		}
	}
}
