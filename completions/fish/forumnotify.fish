# fish completion for forumnotify(1)

complete -c forumnotify -s h -l help -d 'Print a summary of the options and exit'
complete -c forumnotify -l version -d 'Print the version and exit'
complete -c forumnotify -s v -l verbose -d 'Say more'
complete -c forumnotify -s q -l quiet -d 'Say nothing but errors'
complete -c forumnotify -l syslog -d 'Also log to syslog, facility mail'
complete -c forumnotify -l config -r -F -d 'Read options from the [forumnotify] section of FILE'
complete -c forumnotify -l forum -x -d 'Only forum NAME'
complete -c forumnotify -l since-post -x -d "A forum's first run starts after post N"
complete -c forumnotify -l copy-author -d 'Send a post to its author too'
complete -c forumnotify -s n -l dry-run -d 'Print the messages; send and change nothing'
complete -c forumnotify -l sendmail -x -a '(__fish_complete_command)' -d 'The command that sends'
complete -c forumnotify -l smtp -x -a 'smtp:// smtps://' -d 'Send over SMTP'
complete -c forumnotify -l require-tls -d 'With --smtp: stop unless STARTTLS works'
complete -c forumnotify -l netrc -r -F -d 'The netrc file with the SMTP credentials'
complete -c forumnotify -l parallel -x -d 'Messages in flight at once'
complete -c forumnotify -l mta-verp -d 'The MTA makes the VERP senders (sendmail -XV)'
complete -c forumnotify -l batch -x -d 'Recipients of one shared message'
complete -c forumnotify -l commit-every -x -d 'Record N accepted deliveries at a time'
complete -c forumnotify -l defaults-file -r -F -d 'MySQL option file'
complete -c forumnotify -l site -x -d 'The W-Agora site'
complete -c forumnotify -l address -x -d 'Forum addresses, with {forum}'
complete -c forumnotify -l web-message-id -x -d 'The Message-ID of web posts'
complete -c forumnotify -l bounce -x -d 'The envelope sender, VERP with {local} and {domain}'
complete -c forumnotify -l reply-key-file -r -F -d "The reply keys' secret"
complete -c forumnotify -l loop -x -d 'Our X-Loop value'
complete -c forumnotify -l sql -x -d 'Replace the named SQL statement (NAME=SQL)'
complete -c forumnotify -l unsubscribe-url -x -d 'A one-click unsubscription URL'
complete -c forumnotify -l archive-url -x -d "The forum's web page"
complete -c forumnotify -l post-url -x -d "A post's web page"
complete -c forumnotify -l attachments-dir -x -a '(__fish_complete_directories)' -d 'Attach files from DIR'
complete -c forumnotify -l attachments-url -x -d 'Link attachments at URL'
complete -c forumnotify -l max-attached -x -d 'The largest attachment attached'
