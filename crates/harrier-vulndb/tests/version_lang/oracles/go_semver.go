// golang.org/x/mod/semver oracle for harrier's version tests: reads JSON [a, b] lines,
// writes JSON [Canonical(a)|null, Canonical(b)|null, Compare|null] lines. A missing "v"
// prefix is added, as OSV writes Go versions without it.
package main

import (
	"bufio"
	"encoding/json"
	"os"
	"strings"

	"golang.org/x/mod/semver"
)

func withV(v string) string {
	if strings.HasPrefix(v, "v") {
		return v
	}
	return "v" + v
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<24)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for in.Scan() {
		var pair [2]string
		if err := json.Unmarshal(in.Bytes(), &pair); err != nil {
			panic(err)
		}
		a, b := withV(pair[0]), withV(pair[1])
		answer := []interface{}{nil, nil, nil}
		if semver.IsValid(a) {
			answer[0] = semver.Canonical(a)
		}
		if semver.IsValid(b) {
			answer[1] = semver.Canonical(b)
		}
		if semver.IsValid(a) && semver.IsValid(b) {
			answer[2] = semver.Compare(a, b)
		}
		line, err := json.Marshal(answer)
		if err != nil {
			panic(err)
		}
		out.Write(line)
		out.WriteString("\n")
	}
	if err := in.Err(); err != nil {
		panic(err)
	}
}
