# fish completion for mimeparse(1)

complete -c mimeparse -s h -l help -d 'Print a summary of the options and exit'
complete -c mimeparse -l version -d 'Print the version and exit'
complete -c mimeparse -s v -l verbose -d "Also list each message's defects"
complete -c mimeparse -s q -l quiet -d 'Print only errors'
complete -c mimeparse -l syslog -d 'Also log to syslog, facility mail'
complete -c mimeparse -l config -r -F -d 'Read options from the [mimeparse] section of FILE'
complete -c mimeparse -s t -l tree -d 'Print the MIME structure'
complete -c mimeparse -l text -d 'Print the body text'
complete -c mimeparse -s H -l header -x -a 'Subject From To Cc Date Message-ID In-Reply-To References Reply-To List-Id' -d 'Print the decoded values of header NAME'
complete -c mimeparse -s x -l extract -x -d 'Write the decoded body of PART'
complete -c mimeparse -s a -l attachments -x -a '(__fish_complete_directories)' -d 'Write attachments into DIR'
complete -c mimeparse -s r -l recipient -x -d 'The envelope recipient'
complete -c mimeparse -l loop -x -d 'Our X-Loop value'
complete -c mimeparse -l pretty -d 'Indent the JSON'
complete -c mimeparse -l no-trim -d 'Keep quoted text and signature in the text'
