/** `load`, run by the first call and shared by the calls after it; a failed load is tried again on the next call. */
export const loadOnce = <T>(load: () => Promise<T>): (() => Promise<T>) => {
  let loading: Promise<T> | undefined;
  return () => {
    loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };
};

/**
 * A port whose methods all answer promises, built on the first call rather than at cold start: `load` imports its
 * adapter (a module the cold start need not read) and builds it, once; a failed load is tried again on the next call.
 * For stores that only some requests use, so that a function's import stays within its budget.
 */
export const onDemand = <T extends object>(load: () => Promise<T>): T => {
  const built = loadOnce(load);
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
