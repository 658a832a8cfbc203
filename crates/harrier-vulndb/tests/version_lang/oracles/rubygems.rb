# Gem::Version oracle for harrier's version tests: reads JSON [a, b] lines, writes
# JSON ["pre"|"release"|nil, ..., order|nil] lines.
require 'json'
require 'rubygems'

def parse(text)
  Gem::Version.correct?(text) ? Gem::Version.new(text) : nil
end

def kind(version)
  version && (version.prerelease? ? 'pre' : 'release')
end

STDIN.set_encoding('UTF-8')
out = STDIN.each_line.map do |line|
  a, b = JSON.parse(line)
  va = parse(a)
  vb = parse(b)
  JSON.generate([kind(va), kind(vb), va && vb ? (va <=> vb) : nil])
end
STDOUT.write(out.map { |line| line + "\n" }.join)
