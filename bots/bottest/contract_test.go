package bottest_test

import (
	"testing"

	"cornershop/bots/bottest"
	"cornershop/core"
)

func TestContractMemory(t *testing.T) {
	m := bottest.NewMemory(core.Slack, "DESK")
	bottest.Contract(t, &bottest.MemoryHarness{M: m, Customer: core.Place{Platform: core.Slack, Chat: "D-CUSTOMER"}})
}
