/// An error of the model, as the negative errno value the C interface returns.
///
/// Shaped like swift-system's `Errno`: a value over the errno number with Swift
/// names; each documents its C spelling. Values are Linux's errno numbers, so
/// the core needs no C library to name them.
public struct MMMError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The positive errno number (EINVAL is 22).
    public let errno: Int32

    public init(errno: Int32) { self.errno = errno }

    /// The value crossing the C interface: `-errno`.
    public var cValue: Int32 { -errno }

    /// An argument is not valid. The corresponding C value is `-EINVAL`.
    public static let invalidArgument = MMMError(errno: 22)
    /// A value is out of the representable range. The corresponding C value is `-ERANGE`.
    public static let outOfRange = MMMError(errno: 34)
    /// Try again (MADV_COLLAPSE of a page with extra references). The corresponding C value is `-EAGAIN`.
    public static let tryAgain = MMMError(errno: 11)
    /// The object is busy (e.g. a page may be pinned). The corresponding C value is `-EBUSY`.
    public static let busy = MMMError(errno: 16)
    /// Out of model memory (frames, swap slots). The corresponding C value is `-ENOMEM`.
    public static let noMemory = MMMError(errno: 12)
    /// An address is not mapped. The corresponding C value is `-EFAULT`.
    public static let fault = MMMError(errno: 14)
    /// No such process. The corresponding C value is `-ESRCH`.
    public static let noSuchProcess = MMMError(errno: 3)
    /// The operation is not supported. The corresponding C value is `-EOPNOTSUPP`.
    public static let notSupported = MMMError(errno: 95)
    /// No such file (a scenario file). The corresponding C value is `-ENOENT`.
    public static let noSuchFile = MMMError(errno: 2)
    /// A file could not be read. The corresponding C value is `-EIO`.
    public static let ioError = MMMError(errno: 5)
    /// A file may not be read. The corresponding C value is `-EACCES`.
    public static let accessDenied = MMMError(errno: 13)
    /// A path names a directory. The corresponding C value is `-EISDIR`.
    public static let isDirectory = MMMError(errno: 21)
    /// Bytes that are not UTF-8 text. The corresponding C value is `-EILSEQ`.
    public static let illegalByteSequence = MMMError(errno: 84)

    /// English text for an errno number (positive or negative), never failing.
    public static func message(for value: Int32) -> StaticString {
        guard value != Int32.min else { return "Unknown error" }     // abs() would trap
        switch abs(value) {
        case 0: return "Success"
        case 2: return "No such file or directory"
        case 3: return "No such process"
        case 5: return "Input/output error"
        case 11: return "Resource temporarily unavailable"
        case 12: return "Cannot allocate memory"
        case 14: return "Bad address"
        case 13: return "Permission denied"
        case 16: return "Device or resource busy"
        case 21: return "Is a directory"
        case 22: return "Invalid argument"
        case 34: return "Numerical result out of range"
        case 84: return "Invalid or incomplete multibyte or wide character"
        case 95: return "Operation not supported"
        default: return "Unknown error"
        }
    }

    /// The C name of the error, e.g. `EINVAL`.
    public var name: String {
        switch errno {
        case 2: return "ENOENT"
        case 3: return "ESRCH"
        case 5: return "EIO"
        case 13: return "EACCES"
        case 21: return "EISDIR"
        case 84: return "EILSEQ"
        case 12: return "ENOMEM"
        case 14: return "EFAULT"
        case 16: return "EBUSY"
        case 22: return "EINVAL"
        case 34: return "ERANGE"
        case 95: return "EOPNOTSUPP"
        default: return "errno \(errno)"
        }
    }

    public var description: String { "-\(name) (\(MMMError.message(for: errno)))" }
}
