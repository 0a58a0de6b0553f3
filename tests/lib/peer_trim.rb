# The peer of the differential test: Debian's ruby-email-reply-trimmer
# (Discourse's trimmer). For each FILE (a body text, UTF-8) argument,
# writes its trimmed text to FILE.peer.
require "email_reply_trimmer"

ARGV.each do |file|
  text = File.read(file, encoding: "UTF-8")
  File.write("#{file}.peer", (EmailReplyTrimmer.trim(text) || "") + "\n")
end
