package framing

import (
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	const max = 64
	tests := []struct {
		name string
		body []byte
		want string // a part of the problem, "" for none
	}{
		{"one whole message", []byte{0, 0, 0, 0, 2, 8, 1}, ""},
		{"an empty message", []byte{0, 0, 0, 0, 0}, ""},
		{"compressed", []byte{1, 0, 0, 0, 1, 9}, ""},
		{"no body", nil, "incomplete envelope"},
		{"a cut prefix", []byte{0, 0, 0}, "incomplete envelope"},
		{"unknown flags", []byte{12, 0, 0, 0, 0}, "invalid envelope flags 12"},
		{"a length that lies", []byte{0, 0, 0, 0, 9, 1}, "promised 9 bytes and 1 followed"},
		{"bytes after the message", []byte{0, 0, 0, 0, 1, 1, 2}, "promised 1 bytes and 2 followed"},
		{"over the limit: connect-go's to refuse", []byte{0, 0, 0, 1, 0}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Check(tt.body, max)
			if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
				t.Errorf("Check(%v) = %q, want %q", tt.body, got, tt.want)
			}
		})
	}
}
