// A fork of github.com/atotto/clipboard v0.1.4 (BSD-3-Clause, LICENSE),
// used through the replace directive in jobmail's go.mod. Why: upstream
// looks up its helper programs (wl-copy, xclip, xsel, termux-*, clip.exe,
// powershell.exe) along every PATH entry in its package init, so every
// jobmail start paid ~50 failed stat calls although a headless run never
// copies. Here the look-up happens on the first ReadAll or WriteAll. The
// API and the choice of program are upstream's.
module github.com/atotto/clipboard

go 1.26
