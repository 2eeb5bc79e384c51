/**
 * A port whose methods all answer promises, built on the first call rather than at cold start: `load` imports its
 * adapter (a module the cold start need not read) and builds it, once; a failed load is tried again on the next call.
 * For stores that only some requests use, so that a function's import stays within its budget.
 */
export const onDemand = <T extends object>(load: () => Promise<T>): T => {
  let loading: Promise<T> | undefined;
  const built = () => {
    loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };
  return new Proxy({} as T, {
    get: (_, name) =>
      // Not a thenable: an `await` of the port itself must not call a method named `then`.
      name === 'then'
        ? undefined
        : async (...args: unknown[]) => {
            const port = await built();
            return Reflect.apply(Reflect.get(port, name) as (...a: unknown[]) => unknown, port, args);
          },
  });
};
