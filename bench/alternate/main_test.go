package main

import (
	"testing"
	"time"
)

func TestQuartilesOfPairedRatios(t *testing.T) {
	ms := time.Millisecond
	for _, tc := range []struct {
		name string
		a, b []time.Duration
		want [3]float64
	}{
		{"none", nil, nil, [3]float64{}},
		{"one", []time.Duration{3 * ms}, []time.Duration{2 * ms}, [3]float64{1.5, 1.5, 1.5}},
		{"five, out of order", []time.Duration{5 * ms, 1 * ms, 4 * ms, 2 * ms, 3 * ms}, []time.Duration{ms, ms, ms, ms, ms}, [3]float64{2, 3, 4}},
		{"pairs by round, not by rank", []time.Duration{ms, 2 * ms, 3 * ms, 4 * ms, 5 * ms}, []time.Duration{5 * ms, 4 * ms, 3 * ms, 2 * ms, ms}, [3]float64{0.5, 1, 2}},
		{"shorter side bounds", []time.Duration{2 * ms, 9 * ms}, []time.Duration{ms}, [3]float64{2, 2, 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := quartiles(paired(tc.a, tc.b)); got != tc.want {
				t.Errorf("quartiles = %v, want %v", got, tc.want)
			}
		})
	}
}
