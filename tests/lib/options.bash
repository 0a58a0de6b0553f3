# The options a tool documents in each place, one per line ("--wait", "-w"),
# sorted: --help (the definition), the man page's OPTIONS section, and the
# bash, zsh and fish completions. docs.bats compares them.

help_options() {
  "$1" --help | grep -E '^  +-' | sed -E 's/^ +//; s/ .*//' | tr ',' '\n' |
    sed -E 's/=.*//' | grep -E '^-' | sort -u
}

# ".It Fl w , Fl \-wait Ar secs" lines between ".Sh OPTIONS" and the next ".Sh".
man_options() {
  sed -n '/^\.Sh OPTIONS/,/^\.Sh /p' "$FORUMGATE_SOURCE/man/$1.1" | grep '^\.It Fl' |
    grep -oE 'Fl \\?-?[A-Za-z0-9][-A-Za-z0-9]*' | sed -E 's/^Fl \\?-?/-/; s/^-(..+)/--\1/' |
    sort -u
}

# Bash completions offer the long options (the word list given to
# compgen -W); the case patterns naming options that take a value must be
# options too (bash_value_options).
bash_options() {
  tr '\n' ' ' < "$FORUMGATE_SOURCE/completions/bash/$1" |
    grep -oE -- "compgen -W '--[^']*'" | grep -oE -- '--[A-Za-z][-A-Za-z0-9]*' | sort -u
}

bash_value_options() {
  grep -E '^ +-[-A-Za-z0-9 |]*\)$' "$FORUMGATE_SOURCE/completions/bash/$1" |
    tr -d ' )' | tr '|' '\n' | grep -vx -- '--' | sort -u
}

zsh_options() {
  grep -oE -- "(^|[{,'()*])--?[A-Za-z][-A-Za-z0-9]*" "$FORUMGATE_SOURCE/completions/zsh/_$1" |
    sed -E "s/^[{,'()*]//" | sort -u
}

fish_options() {
  grep -oE -- '-[sl] [A-Za-z][-A-Za-z0-9]*' "$FORUMGATE_SOURCE/completions/fish/$1.fish" |
    sed -E 's/^-s /-/; s/^-l /--/' | sort -u
}

tools() {
  local f
  for f in "$FORUMGATE_SOURCE"/tools/*.cpp; do basename "$f" .cpp; done
}
