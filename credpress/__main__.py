from credpress.cli import main

main()
