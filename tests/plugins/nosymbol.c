/*
 * nosymbol.c - a test shared object that exports something, but not the
 * descriptor: the loader must say it is not a dayhub module.
 */
int	nosymbol_answer(void);

/* Exists only so the object exports a symbol of some other name. */
int
nosymbol_answer(void)
{
	return 42;
}
