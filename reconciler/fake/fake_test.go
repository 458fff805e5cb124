package fake_test

import (
	"testing"

	"berth/reconciler"
	"berth/reconciler/enginetest"
	"berth/reconciler/fake"
)

func newEngine(t *testing.T) reconciler.Engine {
	return fake.New(enginetest.DefaultImage)
}

func TestContract(t *testing.T) {
	enginetest.Run(t, newEngine)
}
