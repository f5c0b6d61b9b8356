// Run by Sluice's own build (maven-invoker-plugin in module embedded) after `mvn dependency:list verify`
// of this project; an application does not need it.
def log = new File(basedir, 'build.log').text

// The example printed what it read, what it tailed, and finished.
[
  'read: [{"role":"user","text":"hello"}]',
  'tail: {"role":"user","text":"hello"}',
  'tail: {"role":"agent","text":"hi"}',
  'done: agents/session-',
  'woken: inbox-',
  'task: [{"task":"summarize"}]',
  'acked; more work pending: false',
  'BUILD SUCCESS',
].each { expected ->
  if (!log.contains(expected)) throw new AssertionError("the example's output lacks: " + expected)
}

// One dependency gave the application one version of each library family.
def resolved = (log =~ /(?m)^\[INFO\]\s+([\w.\-]+):([\w.\-]+):jar:([\w.\-]+):(compile|runtime)/).collect { it }
if (resolved.isEmpty()) throw new AssertionError('dependency:list printed no dependencies')
// Jackson's modules must agree on major.minor (jackson-annotations is versioned that way).
def families = [
  'com.fasterxml.jackson': { String v -> v.tokenize('.').take(2).join('.') },
  'org.apache.pekko'     : { String v -> v },
  'org.scala-lang'       : { String v -> v },
]
families.each { family, version ->
  def versions = resolved.findAll { it[1].startsWith(family) }.collect { version(it[3]) }.unique()
  if (versions.size() != 1) throw new AssertionError("${family}: expected one version, the application got ${versions}")
}
true
