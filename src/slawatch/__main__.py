from slawatch.cli import main

main()
